using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class ChannelMaskConvolution
{
    // Popcounts of 0..15, the table vpshufb looks nibbles up in (one copy per 128-bit lane).
    private static ReadOnlySpan<byte> NibbleCounts => [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

    // Two output pixels x 16 output rows per 512-bit register: 32-bit lane r holds row r's channel mask of a tap in
    // both halves, and the broadcast activation word holds that tap's mask of pixel p (low half) and of the next
    // pixel (high half). AND, nibble-lookup popcount per byte, summed over the taps in bytes (at most 8 per tap, 16
    // taps x 8 = 128 < 256), widened to 16-bit counts once per plane. The column sums are scalar popcounts of the
    // kernel rows, which run on the scalar ports beside the vector work. Output rows run 16 at a time, with the
    // weights of all taps in registers for 3x3 kernels; pixels of one output row pair up (an odd last one alone).
    // Never inlined into the tiered dispatcher: there tiered PGO once ran out of inlining budget and called a Tier-0
    // copy of the pair loop, 50-100x slower (seen in KernelBenchmark --mode channel-masks).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx512(ChannelMaskWeights weights, ChannelMaskLayout layout, ReadOnlySpan<ushort> masks, int stride, Span<float> output)
    {
        int size = weights.KernelSize, rows = weights.Rows;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride);
        var context = new PairContext(weights, layout, masks, output);
        for (int g = 0; g < weights.Groups; g++)
        {
            var taps = new GroupTaps(weights, g);
            for (int oy = 0; oy < outHeight; oy++)
            {
                int rowStart = oy * stride * layout.PaddedWidth;
                for (int ox = 0; ox < outWidth; ox += 2)
                {
                    bool alone = ox + 1 == outWidth;
                    int first = rowStart + ox * stride, p = oy * outWidth + ox;
                    if (stride == 1 && !alone) Pair<AdjacentPixels>(context, taps, g, first, first + 1, p, p + 1);
                    else Pair<SeparatePixels>(context, taps, g, first, alone ? first : first + stride, p, alone ? p : p + 1);
                }
            }
        }
    }

    /// <summary>What every pixel pair of one call reads and writes.</summary>
    private readonly ref struct PairContext(ChannelMaskWeights weights, ChannelMaskLayout layout, ReadOnlySpan<ushort> masks, Span<float> output)
    {
        public readonly ChannelMaskWeights Weights = weights;
        public readonly ChannelMaskLayout Layout = layout;
        public readonly ReadOnlySpan<ushort> Masks = masks;
        public readonly Span<float> Output = output;
    }

    /// <summary>A group's weights; for 3x3 kernels the nine taps' low and high nibbles are held as locals (registers).</summary>
    private readonly ref struct GroupTaps
    {
        public readonly ref uint Low;
        public readonly ref uint High;
        public readonly Vector512<byte> L0, L1, L2, L3, L4, L5, L6, L7, L8, H0, H1, H2, H3, H4, H5, H6, H7, H8;

        public GroupTaps(ChannelMaskWeights weights, int group)
        {
            int start = group * weights.Taps * ChannelMaskWeights.GroupRows;
            Low = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.LowNibbles), start);
            High = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.HighNibbles), start);
            if (weights.KernelSize != 3) return;
            L0 = Load(ref Low, 0); L1 = Load(ref Low, 1); L2 = Load(ref Low, 2); L3 = Load(ref Low, 3); L4 = Load(ref Low, 4);
            L5 = Load(ref Low, 5); L6 = Load(ref Low, 6); L7 = Load(ref Low, 7); L8 = Load(ref Low, 8);
            H0 = Load(ref High, 0); H1 = Load(ref High, 1); H2 = Load(ref High, 2); H3 = Load(ref High, 3); H4 = Load(ref High, 4);
            H5 = Load(ref High, 5); H6 = Load(ref High, 6); H7 = Load(ref High, 7); H8 = Load(ref High, 8);
        }

        public static Vector512<byte> Load(ref uint lanes, int tap) =>
            Vector512.LoadUnsafe(ref lanes, (nuint)(tap * ChannelMaskWeights.GroupRows)).AsByte();
    }

    /// <summary>How the two pixels' masks of one tap become one 32-bit word.</summary>
    private interface IPixelPair
    {
        static abstract uint Read(ref ushort plane, int first, int second);
    }

    // Stride 1: the second pixel's mask follows the first's, one 32-bit read.
    private struct AdjacentPixels : IPixelPair
    {
        public static uint Read(ref ushort plane, int first, int second) =>
            Unsafe.ReadUnaligned<uint>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref plane, first)));
    }

    private struct SeparatePixels : IPixelPair
    {
        public static uint Read(ref ushort plane, int first, int second) =>
            Unsafe.Add(ref plane, first) | (uint)Unsafe.Add(ref plane, second) << 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pair<TPixels>(in PairContext context, in GroupTaps taps, int group, int first, int second, int p, int q)
        where TPixels : struct, IPixelPair
    {
        var weights = context.Weights;
        var layout = context.Layout;
        int size = weights.KernelSize, width = layout.PaddedWidth, rows = weights.Rows;
        ulong rowBits = size == ChannelMaskWeights.MaxKernelSize ? ulong.MaxValue : (1UL << (16 * size)) - 1;
        var lut = Vector512.Create(Vector128.Create(NibbleCounts));
        ref ushort source = ref MemoryMarshal.GetReference(context.Masks);
        var counts = Vector512<ushort>.Zero;
        int firstSum = 0, secondSum = 0;
        for (int b = layout.Bits - 1; b >= 0; b--)
        {
            ref ushort plane = ref Unsafe.Add(ref source, b * layout.PlaneLength);
            Vector512<byte> bytes;
            if (size == 3)
            {
                int w2 = 2 * width;
                bytes = Tap<TPixels>(ref plane, first, second, taps.L0, taps.H0, lut) + Tap<TPixels>(ref plane, first + 1, second + 1, taps.L1, taps.H1, lut)
                    + Tap<TPixels>(ref plane, first + 2, second + 2, taps.L2, taps.H2, lut)
                    + Tap<TPixels>(ref plane, first + width, second + width, taps.L3, taps.H3, lut)
                    + Tap<TPixels>(ref plane, first + width + 1, second + width + 1, taps.L4, taps.H4, lut)
                    + Tap<TPixels>(ref plane, first + width + 2, second + width + 2, taps.L5, taps.H5, lut)
                    + Tap<TPixels>(ref plane, first + w2, second + w2, taps.L6, taps.H6, lut)
                    + Tap<TPixels>(ref plane, first + w2 + 1, second + w2 + 1, taps.L7, taps.H7, lut)
                    + Tap<TPixels>(ref plane, first + w2 + 2, second + w2 + 2, taps.L8, taps.H8, lut);
            }
            else
            {
                bytes = Vector512<byte>.Zero;
                for (int t = 0; t < weights.Taps; t++)
                {
                    int at = (t / size) * width + t % size;
                    bytes += Tap<TPixels>(ref plane, first + at, second + at,
                        GroupTaps.Load(ref taps.Low, t), GroupTaps.Load(ref taps.High, t), lut);
                }
            }
            var words = bytes.AsUInt16();
            counts = counts + counts + (words & Vector512.Create((ushort)0x00FF)) + Vector512.ShiftRightLogical(words, 8);
            int rowSumFirst = 0, rowSumSecond = 0;
            for (int i = 0; i < size; i++)
            {
                rowSumFirst += BitOperations.PopCount(ReadRow(ref plane, first + i * width) & rowBits);
                rowSumSecond += BitOperations.PopCount(ReadRow(ref plane, second + i * width) & rowBits);
            }
            firstSum += rowSumFirst << b;
            secondSum += rowSumSecond << b;
        }
        var both = counts.AsUInt32();
        var multiplier = Vector512.Create(weights.Multiplier);
        var offset = Vector512.Create(weights.Offset);
        var firstValues = Vector512.ConvertToSingle((both & Vector512.Create(0xFFFFu)).AsInt32() * multiplier - offset * firstSum);
        var secondValues = Vector512.ConvertToSingle(Vector512.ShiftRightLogical(both, 16).AsInt32() * multiplier - offset * secondSum);
        int column = group * ChannelMaskWeights.GroupRows, groupRows = Math.Min(ChannelMaskWeights.GroupRows, rows - column);
        ref float target = ref MemoryMarshal.GetReference(context.Output);
        if (groupRows == ChannelMaskWeights.GroupRows)
        {
            firstValues.StoreUnsafe(ref target, (nuint)(p * rows + column));
            secondValues.StoreUnsafe(ref target, (nuint)(q * rows + column));
            return;
        }
        // A partial group: a masked store of its rows only.
        var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(groupRows)).AsSingle();
        ref float firstTarget = ref Unsafe.Add(ref target, p * rows + column);
        ref float secondTarget = ref Unsafe.Add(ref target, q * rows + column);
        unsafe
        {
            Avx512F.MaskStore((float*)Unsafe.AsPointer(ref secondTarget), keep, secondValues);
            Avx512F.MaskStore((float*)Unsafe.AsPointer(ref firstTarget), keep, firstValues);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Tap<TPixels>(ref ushort plane, int first, int second, Vector512<byte> low, Vector512<byte> high, Vector512<byte> lut)
        where TPixels : struct, IPixelPair
    {
        var x = Vector512.Create(TPixels.Read(ref plane, first, second)).AsByte();
        // The weights hold only low nibbles, so the shift's bits from the next byte are masked off by the AND.
        var xHigh = Vector512.ShiftRightLogical(x.AsUInt32(), 4).AsByte();
        return Avx512BW.Shuffle(lut, low & x) + Avx512BW.Shuffle(lut, high & xHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadRow(ref ushort plane, int at) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref plane, at)));
}
