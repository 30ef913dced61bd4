using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Packs one channels-last image of levels into the bit-plane channel masks of a <see cref="ChannelMaskLayout"/>:
/// each level is read once, so the packing costs a pass over the image, not a pass per kernel tap.
/// </summary>
internal static class ChannelMasks
{
    /// <summary>
    /// Writes the masks of <paramref name="image"/> (<c>[Height, Width, Channels]</c> levels below <c>2^Bits</c>) into
    /// <paramref name="masks"/>, border and slack zero; every mask is written, so <paramref name="masks"/> may hold anything.
    /// </summary>
    public static void Pack(ChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<ushort> masks, KernelVariant variant = KernelVariant.Auto)
    {
        KernelChecks.Length(image.Length, layout.LevelCount, nameof(image), "height x width x channels");
        if (masks.Length < layout.Length)
            throw new ArgumentException($"masks has {masks.Length} elements; the layout needs {layout.Length}.", nameof(masks));
        masks[..layout.Length].Clear();
        // A pixel of 16 channels is one 16-byte load; the most significant bits of (levels << (7 - b)) are plane b.
        if (layout.Channels == ChannelMaskLayout.MaxChannels && variant != KernelVariant.Reference
            && Vector128.IsHardwareAccelerated && KernelSupport.VectorsAllowed)
            PackSixteen(layout, image, masks);
        else
            Reference(layout, image, masks);
    }

    /// <summary>The definition, bit by bit, into zeroed <paramref name="masks"/>.</summary>
    public static void Reference(ChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<ushort> masks)
    {
        int c = layout.Channels;
        for (int y = 0; y < layout.Height; y++)
            for (int x = 0; x < layout.Width; x++)
            {
                var levels = image.Slice((y * layout.Width + x) * c, c);
                for (int b = 0; b < layout.Bits; b++)
                {
                    int mask = 0;
                    for (int channel = 0; channel < c; channel++) mask |= ((levels[channel] >> b) & 1) << channel;
                    masks[layout.Index(b, y + layout.Padding, x + layout.Padding)] = (ushort)mask;
                }
            }
    }

    private static void PackSixteen(ChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<ushort> masks)
    {
        ref byte levels = ref MemoryMarshal.GetReference(image);
        ref ushort target = ref MemoryMarshal.GetReference(masks);
        int bits = layout.Bits;
        for (int y = 0; y < layout.Height; y++)
        {
            int row = layout.Index(0, y + layout.Padding, layout.Padding);
            for (int x = 0; x < layout.Width; x++)
            {
                var pixel = Vector128.LoadUnsafe(ref levels, (nuint)((y * layout.Width + x) * ChannelMaskLayout.MaxChannels));
                for (int b = 0; b < bits; b++)
                    Unsafe.Add(ref target, b * layout.PlaneLength + row + x) = (ushort)Vector128.ShiftLeft(pixel, 7 - b).ExtractMostSignificantBits();
            }
        }
    }
}
