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
        bool vectors = variant != KernelVariant.Reference && Vector128.IsHardwareAccelerated && KernelSupport.VectorsAllowed;
        if (vectors && layout.Channels == ChannelMaskLayout.MaxChannels) PackSixteen(layout, image, masks);
        else if (vectors) PackFewer(layout, image, masks);
        else Reference(layout, image, masks);
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

    // Fewer than 16 channels: a 16-byte load from the pixel's first channel, the bits of the following pixel's
    // channels masked off; the last pixels, whose load would run past the image, bit by bit.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackFewer(ChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<ushort> masks)
    {
        int c = layout.Channels, width = layout.Width, bits = layout.Bits;
        ushort keep = (ushort)((1 << c) - 1);
        ref byte levels = ref MemoryMarshal.GetReference(image);
        for (int y = 0; y < layout.Height; y++)
            for (int x = 0; x < width; x++)
            {
                int at = (y * width + x) * c, target = layout.Index(0, y + layout.Padding, x + layout.Padding);
                if (at + Vector128<byte>.Count > image.Length)
                {
                    for (int b = 0; b < bits; b++)
                    {
                        int mask = 0;
                        for (int channel = 0; channel < c; channel++) mask |= ((image[at + channel] >> b) & 1) << channel;
                        masks[target + b * layout.PlaneLength] = (ushort)mask;
                    }
                    continue;
                }
                var pixel = Vector128.LoadUnsafe(ref levels, (nuint)at);
                for (int b = 0; b < bits; b++)
                {
                    var bit = Vector128.Create((byte)(1 << b));
                    masks[target + b * layout.PlaneLength] = (ushort)(Vector128.Equals(pixel & bit, bit).ExtractMostSignificantBits() & keep);
                }
            }
    }

    // Bit b of 16 channels is one compare of (levels & 2^b) with 2^b and the byte sign mask; four pixels of a row
    // (64 bytes) at a time with 512-bit vectors, their four masks one 64-bit store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackSixteen(ChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<ushort> masks)
    {
        ref byte levels = ref MemoryMarshal.GetReference(image);
        ref ushort target = ref MemoryMarshal.GetReference(masks);
        int bits = layout.Bits, width = layout.Width;
        for (int y = 0; y < layout.Height; y++)
        {
            int row = layout.Index(0, y + layout.Padding, layout.Padding);
            ref byte source = ref Unsafe.Add(ref levels, y * width * ChannelMaskLayout.MaxChannels);
            int x = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; x + 4 <= width; x += 4)
                {
                    var pixels = Vector512.LoadUnsafe(ref source, (nuint)(x * ChannelMaskLayout.MaxChannels));
                    for (int b = 0; b < bits; b++)
                    {
                        var bit = Vector512.Create((byte)(1 << b));
                        ulong four = Vector512.Equals(pixels & bit, bit).ExtractMostSignificantBits();
                        Unsafe.WriteUnaligned(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref target, b * layout.PlaneLength + row + x)), four);
                    }
                }
            for (; x < width; x++)
            {
                var pixel = Vector128.LoadUnsafe(ref source, (nuint)(x * ChannelMaskLayout.MaxChannels));
                for (int b = 0; b < bits; b++)
                {
                    var bit = Vector128.Create((byte)(1 << b));
                    Unsafe.Add(ref target, b * layout.PlaneLength + row + x) = (ushort)Vector128.Equals(pixel & bit, bit).ExtractMostSignificantBits();
                }
            }
        }
    }
}
