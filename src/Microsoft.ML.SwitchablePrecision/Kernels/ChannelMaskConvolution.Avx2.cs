using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class ChannelMaskConvolution
{
    // The AVX-512 variant's scheme on 256-bit registers: a group's 16 output rows are two halves of 8 lanes (rows 0-7
    // and 8-15 of the group), each tap's broadcast activation word is ANDed with both and counted by nibble lookup
    // (vpshufb) into byte counters, folded once per plane as there. Sixteen ymm registers do not hold a 3x3 group's 36
    // weight vectors, so the weights are read per tap (L1 loads, which Zen 3 issues two per cycle beside the ALU work);
    // 3x3 kernels of one part are unrolled. Never inlined into the dispatcher, for the reason the AVX-512 variant gives.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx2<TMask>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks, int stride,
        Span<float> output)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        int size = weights.KernelSize;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride);
        var context = new PixelContext<TMask>(weights, layout, masks, output);
        for (int g = 0; g < weights.Groups; g++)
        {
            int start = g * weights.Taps * ChannelMaskWidth<TMask>.LaneParts * ChannelMaskWeights<TMask>.GroupRows;
            ref uint low = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.LowNibbles), start);
            ref uint high = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.HighNibbles), start);
            for (int oy = 0; oy < outHeight; oy++)
            {
                int rowStart = oy * stride * layout.PaddedWidth;
                if (ChannelMaskWidth<TMask>.PixelsPerLane == 1)
                {
                    for (int ox = 0; ox < outWidth; ox++)
                    {
                        int first = rowStart + ox * stride, p = oy * outWidth + ox;
                        PixelsAvx2<TMask, ContiguousLane<TMask>>(context, ref low, ref high, g, first, first, p, p);
                    }
                    continue;
                }
                for (int ox = 0; ox < outWidth; ox += 2)
                {
                    bool alone = ox + 1 == outWidth;
                    int first = rowStart + ox * stride, p = oy * outWidth + ox;
                    if (stride == 1 && !alone) PixelsAvx2<TMask, ContiguousLane<TMask>>(context, ref low, ref high, g, first, first + 1, p, p + 1);
                    else PixelsAvx2<TMask, TwoMasks<TMask>>(context, ref low, ref high, g, first, alone ? first : first + stride, p, alone ? p : p + 1);
                }
            }
        }
    }

    // Also AggressiveOptimization: where the JIT does not inline it (it did not here), a tiered copy ran its first
    // calls at Tier 0, 10-100x slower (the first layers of KernelBenchmark --mode channel-masks).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PixelsAvx2<TMask, TWord>(in PixelContext<TMask> context, ref uint low, ref uint high, int group, int first, int second, int p, int q)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        var weights = context.Weights;
        var layout = context.Layout;
        int size = weights.KernelSize, width = layout.PaddedWidth, rows = weights.Rows, parts = ChannelMaskWidth<TMask>.LaneParts;
        bool pairs = ChannelMaskWidth<TMask>.PixelsPerLane == 2;
        int words = ColumnSumWords(weights);
        ulong lastBits = weights.LastWordBits;
        var lut = Vector256.Create(Vector128.Create(NibbleCounts));
        ref TMask source = ref MemoryMarshal.GetReference(context.Masks);
        Vector256<uint> counts0 = Vector256<uint>.Zero, counts1 = Vector256<uint>.Zero;
        int firstSum = 0, secondSum = 0;
        for (int b = layout.Bits - 1; b >= 0; b--)
        {
            ref TMask plane = ref Unsafe.Add(ref source, b * layout.PlaneLength);
            Vector256<byte> bytes0 = Vector256<byte>.Zero, bytes1 = Vector256<byte>.Zero, upper0 = Vector256<byte>.Zero, upper1 = Vector256<byte>.Zero;
            if (size == 3 && parts == 1)
            {
                int w2 = 2 * width;
                TapAvx2<TMask, TWord>(ref plane, first, second, 0, ref low, ref high, 0, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + 1, second + 1, 0, ref low, ref high, 1, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + 2, second + 2, 0, ref low, ref high, 2, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + width, second + width, 0, ref low, ref high, 3, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + width + 1, second + width + 1, 0, ref low, ref high, 4, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + width + 2, second + width + 2, 0, ref low, ref high, 5, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + w2, second + w2, 0, ref low, ref high, 6, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + w2 + 1, second + w2 + 1, 0, ref low, ref high, 7, lut, ref bytes0, ref bytes1);
                TapAvx2<TMask, TWord>(ref plane, first + w2 + 2, second + w2 + 2, 0, ref low, ref high, 8, lut, ref bytes0, ref bytes1);
            }
            else
            {
                for (int i = 0, lane = 0; i < size; i++)
                    for (int j = 0; j < size; j++)
                    {
                        int at = i * width + j;
                        TapAvx2<TMask, TWord>(ref plane, first + at, second + at, 0, ref low, ref high, lane++, lut, ref bytes0, ref bytes1);
                        if (parts == 1) continue;
                        TapAvx2<TMask, TWord>(ref plane, first + at, second + at, 1, ref low, ref high, lane++, lut, ref upper0, ref upper1);
                    }
            }
            counts0 = FoldAvx2<TMask>(counts0, bytes0, upper0);
            counts1 = FoldAvx2<TMask>(counts1, bytes1, upper1);
            firstSum += KernelRowSums(ref plane, first, width, size, words, lastBits) << b;
            if (pairs) secondSum += KernelRowSums(ref plane, second, width, size, words, lastBits) << b;
        }
        int column = group * ChannelMaskWeights<TMask>.GroupRows, groupRows = Math.Min(ChannelMaskWeights<TMask>.GroupRows, rows - column);
        var multiplier = Vector256.Create(weights.Multiplier);
        var firstOffset = Vector256.Create(weights.Offset * firstSum);
        ref float target = ref MemoryMarshal.GetReference(context.Output);
        if (pairs)
        {
            var secondOffset = Vector256.Create(weights.Offset * secondSum);
            var lowHalf = Vector256.Create(0xFFFFu);
            StoreRows(ref target, q * rows + column, groupRows,
                Vector256.ConvertToSingle(Vector256.ShiftRightLogical(counts0, 16).AsInt32() * multiplier - secondOffset),
                Vector256.ConvertToSingle(Vector256.ShiftRightLogical(counts1, 16).AsInt32() * multiplier - secondOffset));
            StoreRows(ref target, p * rows + column, groupRows,
                Vector256.ConvertToSingle((counts0 & lowHalf).AsInt32() * multiplier - firstOffset),
                Vector256.ConvertToSingle((counts1 & lowHalf).AsInt32() * multiplier - firstOffset));
            return;
        }
        StoreRows(ref target, p * rows + column, groupRows,
            Vector256.ConvertToSingle(counts0.AsInt32() * multiplier - firstOffset), Vector256.ConvertToSingle(counts1.AsInt32() * multiplier - firstOffset));
    }

    // One tap and part against both halves of the group: weights lane (tap * parts + part), 16 32-bit lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TapAvx2<TMask, TWord>(ref TMask plane, int first, int second, int part, ref uint low, ref uint high, int lane,
        Vector256<byte> lut, ref Vector256<byte> bytes0, ref Vector256<byte> bytes1)
        where TMask : unmanaged
        where TWord : struct, ILaneWord<TMask>
    {
        var x = Vector256.Create(TWord.Read(ref plane, first, second, part)).AsByte();
        // The weights hold only low nibbles, so the shift's bits from the next byte are masked off by the AND.
        var xHigh = Vector256.ShiftRightLogical(x.AsUInt32(), 4).AsByte();
        nuint at = (nuint)(lane * ChannelMaskWeights<ushort>.GroupRows), half = (nuint)(ChannelMaskWeights<ushort>.GroupRows / 2);
        bytes0 += Avx2.Shuffle(lut, Vector256.LoadUnsafe(ref low, at).AsByte() & x) + Avx2.Shuffle(lut, Vector256.LoadUnsafe(ref high, at).AsByte() & xHigh);
        bytes1 += Avx2.Shuffle(lut, Vector256.LoadUnsafe(ref low, at + half).AsByte() & x)
            + Avx2.Shuffle(lut, Vector256.LoadUnsafe(ref high, at + half).AsByte() & xHigh);
    }

    // A plane's byte counts added into the lane counts, which double first (the planes run from the top bit down).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> FoldAvx2<TMask>(Vector256<uint> counts, Vector256<byte> bytes, Vector256<byte> upper)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        if (ChannelMaskWidth<TMask>.PixelsPerLane == 2)
        {
            var words = bytes.AsUInt16();
            var halves = counts.AsUInt16();
            return (halves + halves + (words & Vector256.Create((ushort)0x00FF)) + Vector256.ShiftRightLogical(words, 8)).AsUInt32();
        }
        var byteOnes = Vector256.Create((sbyte)1);
        var pairSums = Avx2.MultiplyAddAdjacent(bytes, byteOnes);
        if (ChannelMaskWidth<TMask>.LaneParts == 2) pairSums += Avx2.MultiplyAddAdjacent(upper, byteOnes);
        return counts + counts + Avx2.MultiplyAddAdjacent(pairSums, Vector256.Create((short)1)).AsUInt32();
    }

    // A group's two halves of values at output offset at; a partial group (fewer than 16 rows left) writes its rows only.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows(ref float target, int at, int groupRows, Vector256<float> rows0, Vector256<float> rows1)
    {
        const int Half = ChannelMaskWeights<ushort>.GroupRows / 2;
        if (groupRows == 2 * Half)
        {
            rows0.StoreUnsafe(ref target, (nuint)at);
            rows1.StoreUnsafe(ref target, (nuint)(at + Half));
            return;
        }
        ref float rows = ref Unsafe.Add(ref target, at);
        for (int r = 0; r < groupRows; r++) Unsafe.Add(ref rows, r) = r < Half ? rows0.GetElement(r) : rows1.GetElement(r - Half);
    }
}
