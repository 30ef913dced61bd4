using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Packs one channels-last image of levels into the 32-bit bit-plane channel masks of a <see cref="WideChannelMaskLayout"/>:
/// each level is read once, so the packing costs a pass over the image, not a pass per kernel tap.
/// </summary>
internal static class WideChannelMasks
{
    /// <summary>
    /// Writes the masks of <paramref name="image"/> (<c>[Height, Width, Channels]</c> levels below <c>2^Bits</c>) into
    /// <paramref name="masks"/>, border and slack zero; every mask is written, so <paramref name="masks"/> may hold anything.
    /// </summary>
    public static void Pack(WideChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<uint> masks, KernelVariant variant = KernelVariant.Auto)
    {
        KernelChecks.Length(image.Length, layout.LevelCount, nameof(image), "height x width x channels");
        if (masks.Length < layout.Length)
            throw new ArgumentException($"masks has {masks.Length} elements; the layout needs {layout.Length}.", nameof(masks));
        masks[..layout.Length].Clear();
        bool vectors = variant != KernelVariant.Reference && Vector256.IsHardwareAccelerated && KernelSupport.VectorsAllowed;
        if (vectors && layout.Channels == WideChannelMaskLayout.MaxChannels) PackThirtyTwo(layout, image, masks);
        else if (vectors) PackFewer(layout, image, masks);
        else Reference(layout, image, masks);
    }

    /// <summary>The definition, bit by bit, into zeroed <paramref name="masks"/>.</summary>
    public static void Reference(WideChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<uint> masks)
    {
        int c = layout.Channels;
        for (int y = 0; y < layout.Height; y++)
            for (int x = 0; x < layout.Width; x++)
            {
                var levels = image.Slice((y * layout.Width + x) * c, c);
                for (int b = 0; b < layout.Bits; b++)
                {
                    uint mask = 0;
                    for (int channel = 0; channel < c; channel++) mask |= (uint)((levels[channel] >> b) & 1) << channel;
                    masks[layout.Index(b, y + layout.Padding, x + layout.Padding)] = mask;
                }
            }
    }

    // Fewer than 32 channels: a 32-byte load from the pixel's first channel, the bits of the following pixel's
    // channels masked off; the last pixels, whose load would run past the image, bit by bit.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackFewer(WideChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<uint> masks)
    {
        int c = layout.Channels, width = layout.Width, bits = layout.Bits;
        uint keep = (uint)((1UL << c) - 1);
        ref byte levels = ref MemoryMarshal.GetReference(image);
        for (int y = 0; y < layout.Height; y++)
            for (int x = 0; x < width; x++)
            {
                int at = (y * width + x) * c, target = layout.Index(0, y + layout.Padding, x + layout.Padding);
                if (at + Vector256<byte>.Count > image.Length)
                {
                    for (int b = 0; b < bits; b++)
                    {
                        uint mask = 0;
                        for (int channel = 0; channel < c; channel++) mask |= (uint)((image[at + channel] >> b) & 1) << channel;
                        masks[target + b * layout.PlaneLength] = mask;
                    }
                    continue;
                }
                var pixel = Vector256.LoadUnsafe(ref levels, (nuint)at);
                for (int b = 0; b < bits; b++)
                {
                    var bit = Vector256.Create((byte)(1 << b));
                    masks[target + b * layout.PlaneLength] = Vector256.Equals(pixel & bit, bit).ExtractMostSignificantBits() & keep;
                }
            }
    }

    // Bit b of 32 channels is one compare of (levels & 2^b) with 2^b and the byte sign mask; two pixels of a row
    // (64 bytes) at a time with 512-bit vectors, their two masks one 64-bit store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackThirtyTwo(WideChannelMaskLayout layout, ReadOnlySpan<byte> image, Span<uint> masks)
    {
        const int channels = WideChannelMaskLayout.MaxChannels;
        ref byte levels = ref MemoryMarshal.GetReference(image);
        ref uint target = ref MemoryMarshal.GetReference(masks);
        int bits = layout.Bits, width = layout.Width;
        for (int y = 0; y < layout.Height; y++)
        {
            int row = layout.Index(0, y + layout.Padding, layout.Padding);
            ref byte source = ref Unsafe.Add(ref levels, y * width * channels);
            int x = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; x + 2 <= width; x += 2)
                {
                    var pixels = Vector512.LoadUnsafe(ref source, (nuint)(x * channels));
                    for (int b = 0; b < bits; b++)
                    {
                        var bit = Vector512.Create((byte)(1 << b));
                        ulong two = Vector512.Equals(pixels & bit, bit).ExtractMostSignificantBits();
                        Unsafe.WriteUnaligned(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref target, b * layout.PlaneLength + row + x)), two);
                    }
                }
            for (; x < width; x++)
            {
                var pixel = Vector256.LoadUnsafe(ref source, (nuint)(x * channels));
                for (int b = 0; b < bits; b++)
                {
                    var bit = Vector256.Create((byte)(1 << b));
                    Unsafe.Add(ref target, b * layout.PlaneLength + row + x) = Vector256.Equals(pixel & bit, bit).ExtractMostSignificantBits();
                }
            }
        }
    }
}
