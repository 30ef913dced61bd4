using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

// What the AVX-512 and AVX2 forms of the channel-mask convolution share, independent of the vector width.
internal static partial class ChannelMaskConvolution
{
    // Popcounts of 0..15, the table vpshufb looks nibbles up in (one copy per 128-bit lane).
    private static ReadOnlySpan<byte> NibbleCounts => [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

    /// <summary>What every pixel of one call reads and writes.</summary>
    private readonly ref struct PixelContext<TMask>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks,
        Span<float> output)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public readonly ChannelMaskWeights<TMask> Weights = weights;
        public readonly ChannelMaskLayout<TMask> Layout = layout;
        public readonly ReadOnlySpan<TMask> Masks = masks;
        public readonly Span<float> Output = output;
    }

    /// <summary>How the 32-bit word broadcast against the weights' lanes is read from a plane.</summary>
    private interface ILaneWord<TMask>
        where TMask : unmanaged
    {
        static abstract uint Read(ref TMask plane, int first, int second, int part);
    }

    // One 32-bit read at the first pixel's mask: a 32-bit mask, one half of a 64-bit mask, or the 16-bit masks of
    // two adjacent pixels (stride 1).
    private struct ContiguousLane<TMask> : ILaneWord<TMask>
        where TMask : unmanaged
    {
        public static uint Read(ref TMask plane, int first, int second, int part) =>
            Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref Unsafe.As<TMask, byte>(ref Unsafe.Add(ref plane, first)), 4 * part));
    }

    // 16-bit masks of two pixels that are not neighbours (stride 2, or an odd last pixel paired with itself).
    private struct TwoMasks<TMask> : ILaneWord<TMask>
        where TMask : unmanaged
    {
        public static uint Read(ref TMask plane, int first, int second, int part) =>
            Unsafe.As<TMask, ushort>(ref Unsafe.Add(ref plane, first)) | (uint)Unsafe.As<TMask, ushort>(ref Unsafe.Add(ref plane, second)) << 16;
    }

    // 64-bit words per kernel row that the column sums read: a 16-bit mask row of up to 4 pixels fits one word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ColumnSumWords<TMask>(ChannelMaskWeights<TMask> weights)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask> =>
        ChannelMaskWidth<TMask>.Bits == 16 ? 1 : weights.WordsPerKernelRow;

    // The levels under one kernel position in a plane: popcounts of the kernel rows' 64-bit words, the last masked
    // to the row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int KernelRowSums<TMask>(ref TMask plane, int at, int width, int size, int words, ulong lastBits)
        where TMask : unmanaged
    {
        int sum = 0;
        for (int i = 0; i < size; i++)
        {
            ref byte row = ref Unsafe.As<TMask, byte>(ref Unsafe.Add(ref plane, at + i * width));
            for (int w = 0; w < words - 1; w++) sum += BitOperations.PopCount(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref row, 8 * w)));
            sum += BitOperations.PopCount(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref row, 8 * (words - 1))) & lastBits);
        }
        return sum;
    }
}
