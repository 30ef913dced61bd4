using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Packs one channels-last image of levels into the bit-plane channel masks of a <see cref="ChannelMaskLayout{TMask}"/>:
/// each level is read once, so the packing costs a pass over the image, not a pass per kernel tap.
/// </summary>
internal static class ChannelMasks
{
    /// <summary>
    /// Writes the masks of <paramref name="image"/> (<c>[Height, Width, Channels]</c> levels below <c>2^Bits</c>) into
    /// <paramref name="masks"/>, border and slack zero; every mask is written, so <paramref name="masks"/> may hold anything.
    /// </summary>
    public static void Pack<TMask>(ChannelMaskLayout<TMask> layout, ReadOnlySpan<byte> image, Span<TMask> masks, KernelVariant variant = KernelVariant.Auto)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        KernelChecks.Length(image.Length, layout.LevelCount, nameof(image), "height x width x channels");
        if (masks.Length < layout.Length)
            throw new ArgumentException($"masks has {masks.Length} elements; the layout needs {layout.Length}.", nameof(masks));
        masks[..layout.Length].Clear();
        int width = ChannelMaskWidth<TMask>.Bits;
        bool accelerated = width == 16 ? Vector128.IsHardwareAccelerated : Vector256.IsHardwareAccelerated;
        bool vectors = variant != KernelVariant.Reference && accelerated && KernelSupport.VectorsAllowed;
        if (vectors && layout.Channels == width) PackFull(layout, image, masks);
        else if (vectors) PackFewer(layout, image, masks);
        else Reference(layout, image, masks);
    }

    /// <summary>The definition, bit by bit, into zeroed <paramref name="masks"/>.</summary>
    public static void Reference<TMask>(ChannelMaskLayout<TMask> layout, ReadOnlySpan<byte> image, Span<TMask> masks)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        int c = layout.Channels;
        for (int y = 0; y < layout.Height; y++)
            for (int x = 0; x < layout.Width; x++)
            {
                var levels = image.Slice((y * layout.Width + x) * c, c);
                for (int b = 0; b < layout.Bits; b++)
                    ChannelMaskWidth<TMask>.Write(ref masks[layout.Index(b, y + layout.Padding, x + layout.Padding)], BitByBit(levels, b));
            }
    }

    private static ulong BitByBit(ReadOnlySpan<byte> levels, int b)
    {
        ulong mask = 0;
        for (int channel = 0; channel < levels.Length; channel++) mask |= (ulong)((levels[channel] >> b) & 1) << channel;
        return mask;
    }

    // Fewer channels than the mask's bits: a load of one mask's worth of bytes from the pixel's first channel, the
    // bits of the following pixel's channels masked off; the last pixels, whose load would run past the image, bit by bit.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackFewer<TMask>(ChannelMaskLayout<TMask> layout, ReadOnlySpan<byte> image, Span<TMask> masks)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        int c = layout.Channels, width = layout.Width, bits = layout.Bits;
        ulong keep = (1UL << c) - 1;
        ref byte levels = ref MemoryMarshal.GetReference(image);
        ref TMask target = ref MemoryMarshal.GetReference(masks);
        for (int y = 0; y < layout.Height; y++)
            for (int x = 0; x < width; x++)
            {
                int at = (y * width + x) * c, first = layout.Index(0, y + layout.Padding, x + layout.Padding);
                if (at + ChannelMaskWidth<TMask>.Bits > image.Length)
                {
                    for (int b = 0; b < bits; b++)
                        ChannelMaskWidth<TMask>.Write(ref masks[first + b * layout.PlaneLength], BitByBit(image.Slice(at, c), b));
                    continue;
                }
                PackPixel(ref Unsafe.Add(ref levels, at), ref Unsafe.Add(ref target, first), layout.PlaneLength, bits, keep);
            }
    }

    // Bit b of a mask's channels is one compare of (levels & 2^b) with 2^b and the byte sign mask; with 512-bit
    // vectors 64 bytes (four 16-bit, two 32-bit or one 64-bit mask of a row) at a time, one 64-bit store per plane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackFull<TMask>(ChannelMaskLayout<TMask> layout, ReadOnlySpan<byte> image, Span<TMask> masks)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        int channels = ChannelMaskWidth<TMask>.Bits, perLoad = ChannelMaskWidth<TMask>.MasksPerWord;
        ref byte levels = ref MemoryMarshal.GetReference(image);
        ref TMask target = ref MemoryMarshal.GetReference(masks);
        int bits = layout.Bits, width = layout.Width;
        for (int y = 0; y < layout.Height; y++)
        {
            int row = layout.Index(0, y + layout.Padding, layout.Padding);
            ref byte source = ref Unsafe.Add(ref levels, y * width * channels);
            int x = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; x + perLoad <= width; x += perLoad)
                {
                    var pixels = Vector512.LoadUnsafe(ref source, (nuint)(x * channels));
                    for (int b = 0; b < bits; b++)
                    {
                        var bit = Vector512.Create((byte)(1 << b));
                        ulong word = Vector512.Equals(pixels & bit, bit).ExtractMostSignificantBits();
                        Unsafe.WriteUnaligned(ref Unsafe.As<TMask, byte>(ref Unsafe.Add(ref target, b * layout.PlaneLength + row + x)), word);
                    }
                }
            for (; x < width; x++)
                PackPixel(ref Unsafe.Add(ref source, x * channels), ref Unsafe.Add(ref target, row + x), layout.PlaneLength, bits, ulong.MaxValue);
        }
    }

    // The masks of one pixel in every plane from one load of a mask's worth of levels (64 bytes as two 256-bit
    // halves without 512-bit vectors), bits outside keep cleared.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackPixel<TMask>(ref byte levels, ref TMask target, int planeLength, int bits, ulong keep)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        int channels = ChannelMaskWidth<TMask>.Bits;
        if (channels == 16)
        {
            var pixel = Vector128.LoadUnsafe(ref levels);
            for (int b = 0; b < bits; b++)
            {
                var bit = Vector128.Create((byte)(1 << b));
                ChannelMaskWidth<TMask>.Write(ref Unsafe.Add(ref target, b * planeLength), Vector128.Equals(pixel & bit, bit).ExtractMostSignificantBits() & keep);
            }
        }
        else if (channels == 32 || !Vector512.IsHardwareAccelerated)
        {
            var low = Vector256.LoadUnsafe(ref levels);
            var high = channels == 64 ? Vector256.LoadUnsafe(ref levels, 32) : default;
            for (int b = 0; b < bits; b++)
            {
                var bit = Vector256.Create((byte)(1 << b));
                ulong mask = Vector256.Equals(low & bit, bit).ExtractMostSignificantBits();
                if (channels == 64) mask |= (ulong)Vector256.Equals(high & bit, bit).ExtractMostSignificantBits() << 32;
                ChannelMaskWidth<TMask>.Write(ref Unsafe.Add(ref target, b * planeLength), mask & keep);
            }
        }
        else
        {
            var pixel = Vector512.LoadUnsafe(ref levels);
            for (int b = 0; b < bits; b++)
            {
                var bit = Vector512.Create((byte)(1 << b));
                ChannelMaskWidth<TMask>.Write(ref Unsafe.Add(ref target, b * planeLength), Vector512.Equals(pixel & bit, bit).ExtractMostSignificantBits() & keep);
            }
        }
    }
}
