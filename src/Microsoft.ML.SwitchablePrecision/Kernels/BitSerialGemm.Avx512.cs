using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class BitSerialGemm
{
    // Popcounts of 0..15, the table vpshufb looks nibbles up in (one copy per 128-bit lane).
    private static ReadOnlySpan<byte> NibbleCounts => [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

    // Byte counters gain at most 8 per word, so they are folded into 64-bit sums every 31 words.
    private const int WordsPerFlush = 31;

    private const int VectorColumns = 4;

    // Register block: two 8-row lane groups x four columns, eight byte-counter and eight 64-bit accumulators.
    // With 1-bit weights the groups are two row blocks (16 rows); with 2-bit weights they are the high and low weight
    // plane of one block (8 rows, combined as 2 hi + lo). A word of one activation plane is broadcast and ANDed with
    // the same word of 8 weight rows; its popcount per lane is two nibble lookups, and AVX-512 ternary logic fuses the
    // AND with the nibble mask.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx512(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        int words = weights.WordsPerPlane, bits = activations.Bits, columnWords = activations.WordsPerColumn;
        bool combine = weights.Bits == 2;
        int unitRows = combine ? 8 : 16, wordStride = weights.Bits * BitSerialWeights.BlockRows;
        var lut = Vector512.Create(Vector128.Create(NibbleCounts));
        var nibble = Vector512.Create((byte)0x0F);
        ref ulong panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref ulong planes = ref MemoryMarshal.GetReference(activations.Words);
        ref int result = ref MemoryMarshal.GetReference(output);
        var multiplier = Vector512.Create(weights.Multiplier);
        var offset = Vector512.Create(weights.Offset);

        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            ref ulong groupA = ref Unsafe.Add(ref panel, combine ? (unit * words * 2 + 1) * 8 : 2 * unit * words * 8);
            ref ulong groupB = ref Unsafe.Add(ref panel, combine ? unit * words * 2 * 8 : (2 * unit + 1) * words * 8);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref ulong x0 = ref Unsafe.Add(ref planes, (nint)p * columnWords);
                ref ulong x1 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(1, count - 1)) * columnWords);
                ref ulong x2 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(2, count - 1)) * columnWords);
                ref ulong x3 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(3, count - 1)) * columnWords);
                Vector512<ulong> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector512<ulong> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int plane = bits - 1; plane >= 0; plane--)
                {
                    a0 += a0; a1 += a1; a2 += a2; a3 += a3; b0 += b0; b1 += b1; b2 += b2; b3 += b3;
                    int planeWord = plane * words;
                    for (int start = 0; start < words; start += WordsPerFlush)
                    {
                        int end = Math.Min(words, start + WordsPerFlush);
                        Vector512<byte> ca0 = default, ca1 = default, ca2 = default, ca3 = default;
                        Vector512<byte> cb0 = default, cb1 = default, cb2 = default, cb3 = default;
                        for (int w = start; w < end; w++)
                        {
                            var wa = Vector512.LoadUnsafe(ref groupA, (nuint)(w * wordStride)).AsByte();
                            var wb = Vector512.LoadUnsafe(ref groupB, (nuint)(w * wordStride)).AsByte();
                            var wah = Vector512.ShiftRightLogical(wa.AsUInt64(), 4).AsByte();
                            var wbh = Vector512.ShiftRightLogical(wb.AsUInt64(), 4).AsByte();
                            var x = Vector512.Create(Unsafe.Add(ref x0, planeWord + w)).AsByte();
                            var xh = Vector512.ShiftRightLogical(x.AsUInt64(), 4).AsByte();
                            ca0 += Count(wa, wah, x, xh, lut, nibble); cb0 += Count(wb, wbh, x, xh, lut, nibble);
                            x = Vector512.Create(Unsafe.Add(ref x1, planeWord + w)).AsByte();
                            xh = Vector512.ShiftRightLogical(x.AsUInt64(), 4).AsByte();
                            ca1 += Count(wa, wah, x, xh, lut, nibble); cb1 += Count(wb, wbh, x, xh, lut, nibble);
                            x = Vector512.Create(Unsafe.Add(ref x2, planeWord + w)).AsByte();
                            xh = Vector512.ShiftRightLogical(x.AsUInt64(), 4).AsByte();
                            ca2 += Count(wa, wah, x, xh, lut, nibble); cb2 += Count(wb, wbh, x, xh, lut, nibble);
                            x = Vector512.Create(Unsafe.Add(ref x3, planeWord + w)).AsByte();
                            xh = Vector512.ShiftRightLogical(x.AsUInt64(), 4).AsByte();
                            ca3 += Count(wa, wah, x, xh, lut, nibble); cb3 += Count(wb, wbh, x, xh, lut, nibble);
                        }
                        a0 += Fold(ca0); a1 += Fold(ca1); a2 += Fold(ca2); a3 += Fold(ca3);
                        b0 += Fold(cb0); b1 += Fold(cb1); b2 += Fold(cb2); b3 += Fold(cb3);
                    }
                }
                var sums = activations.ColumnSums;
                int sum0 = sums[p], sum1 = sums[p + Math.Min(1, count - 1)];
                int sum2 = sums[p + Math.Min(2, count - 1)], sum3 = sums[p + Math.Min(3, count - 1)];
                if (combine)
                    RowVectors.Store4(CombinedAvx512(a0, b0, multiplier, offset, sum0), CombinedAvx512(a1, b1, multiplier, offset, sum1),
                        CombinedAvx512(a2, b2, multiplier, offset, sum2), CombinedAvx512(a3, b3, multiplier, offset, sum3),
                        count, ref result, layout, range, firstRow, p);
                else
                    RowVectors.Store4(SeparateAvx512(a0, b0, multiplier, offset, sum0), SeparateAvx512(a1, b1, multiplier, offset, sum1),
                        SeparateAvx512(a2, b2, multiplier, offset, sum2), SeparateAvx512(a3, b3, multiplier, offset, sum3),
                        count, ref result, layout, range, firstRow, p);
            }
        }
    }

    // popcount(w & x) per byte: the low nibbles of (w & x & 0x0F) and of ((w >> 4) & (x >> 4) & 0x0F), looked up.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Count(Vector512<byte> w, Vector512<byte> wHigh, Vector512<byte> x, Vector512<byte> xHigh,
        Vector512<byte> lut, Vector512<byte> nibble)
    {
        const byte and3 = 0x80; // A & B & C in ternary-logic truth-table encoding
        var low = Avx512F.TernaryLogic(w, x, nibble, and3);
        var high = Avx512F.TernaryLogic(wHigh, xHigh, nibble, and3);
        return Avx512BW.Shuffle(lut, low) + Avx512BW.Shuffle(lut, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold(Vector512<byte> counts) =>
        Avx512BW.SumAbsoluteDifferences(counts, Vector512<byte>.Zero).AsUInt64();

    // 2-bit weights: both lane groups are the same rows, high and low weight plane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> CombinedAvx512(Vector512<ulong> high, Vector512<ulong> low, Vector512<int> multiplier, Vector512<int> offset, int columnSum) =>
        (Vector512.Narrow(high + high + low, Vector512<ulong>.Zero).AsInt32() * multiplier - offset * columnSum).GetLower();

    // 1-bit weights: the two lane groups are consecutive rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> SeparateAvx512(Vector512<ulong> first, Vector512<ulong> second, Vector512<int> multiplier, Vector512<int> offset, int columnSum) =>
        Vector512.Narrow(first, second).AsInt32() * multiplier - offset * columnSum;
}
