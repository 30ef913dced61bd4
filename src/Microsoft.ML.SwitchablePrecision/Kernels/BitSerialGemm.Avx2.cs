using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class BitSerialGemm
{
    // The AVX-512 block at half width: two 4-row lane groups x four columns. 1-bit weights: the two halves of one
    // 8-row block; 2-bit weights: the high and low weight plane of half a block (4 rows).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx2(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        int words = weights.WordsPerPlane, bits = activations.Bits, columnWords = activations.WordsPerColumn;
        bool combine = weights.Bits == 2;
        int unitRows = combine ? 4 : 8, wordStride = weights.Bits * BitSerialWeights.BlockRows;
        var lut = Vector256.Create(Vector128.Create(NibbleCounts));
        var nibble = Vector256.Create((byte)0x0F);
        ref ulong panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref ulong planes = ref MemoryMarshal.GetReference(activations.Words);
        ref int result = ref MemoryMarshal.GetReference(output);
        var multiplier = Vector256.Create(weights.Multiplier);
        var offset = Vector256.Create(weights.Offset);

        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            int block = combine ? unit / 2 : unit, half = combine ? (unit % 2) * 4 : 4;
            ref ulong groupA = ref Unsafe.Add(ref panel, combine ? (block * words * 2 + 1) * 8 + half : block * words * 8);
            ref ulong groupB = ref Unsafe.Add(ref panel, combine ? block * words * 2 * 8 + half : block * words * 8 + half);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref ulong x0 = ref Unsafe.Add(ref planes, (nint)p * columnWords);
                ref ulong x1 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(1, count - 1)) * columnWords);
                ref ulong x2 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(2, count - 1)) * columnWords);
                ref ulong x3 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(3, count - 1)) * columnWords);
                Vector256<ulong> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<ulong> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int plane = bits - 1; plane >= 0; plane--)
                {
                    a0 += a0; a1 += a1; a2 += a2; a3 += a3; b0 += b0; b1 += b1; b2 += b2; b3 += b3;
                    int planeWord = plane * words;
                    for (int start = 0; start < words; start += WordsPerFlush)
                    {
                        int end = Math.Min(words, start + WordsPerFlush);
                        Vector256<byte> ca0 = default, ca1 = default, ca2 = default, ca3 = default;
                        Vector256<byte> cb0 = default, cb1 = default, cb2 = default, cb3 = default;
                        for (int w = start; w < end; w++)
                        {
                            var wa = Vector256.LoadUnsafe(ref groupA, (nuint)(w * wordStride)).AsByte();
                            var wb = Vector256.LoadUnsafe(ref groupB, (nuint)(w * wordStride)).AsByte();
                            var x = Vector256.Create(Unsafe.Add(ref x0, planeWord + w)).AsByte();
                            ca0 += Count(wa & x, lut, nibble); cb0 += Count(wb & x, lut, nibble);
                            x = Vector256.Create(Unsafe.Add(ref x1, planeWord + w)).AsByte();
                            ca1 += Count(wa & x, lut, nibble); cb1 += Count(wb & x, lut, nibble);
                            x = Vector256.Create(Unsafe.Add(ref x2, planeWord + w)).AsByte();
                            ca2 += Count(wa & x, lut, nibble); cb2 += Count(wb & x, lut, nibble);
                            x = Vector256.Create(Unsafe.Add(ref x3, planeWord + w)).AsByte();
                            ca3 += Count(wa & x, lut, nibble); cb3 += Count(wb & x, lut, nibble);
                        }
                        a0 += Fold(ca0); a1 += Fold(ca1); a2 += Fold(ca2); a3 += Fold(ca3);
                        b0 += Fold(cb0); b1 += Fold(cb1); b2 += Fold(cb2); b3 += Fold(cb3);
                    }
                }
                var sums = activations.ColumnSums;
                int sum0 = sums[p], sum1 = sums[p + Math.Min(1, count - 1)];
                int sum2 = sums[p + Math.Min(2, count - 1)], sum3 = sums[p + Math.Min(3, count - 1)];
                if (combine)
                    RowVectors.Store4(CombinedAvx2(a0, b0, multiplier, offset, sum0), CombinedAvx2(a1, b1, multiplier, offset, sum1),
                        CombinedAvx2(a2, b2, multiplier, offset, sum2), CombinedAvx2(a3, b3, multiplier, offset, sum3),
                        count, ref result, layout, range, firstRow, p);
                else
                    RowVectors.Store4(SeparateAvx2(a0, b0, multiplier, offset, sum0), SeparateAvx2(a1, b1, multiplier, offset, sum1),
                        SeparateAvx2(a2, b2, multiplier, offset, sum2), SeparateAvx2(a3, b3, multiplier, offset, sum3),
                        count, ref result, layout, range, firstRow, p);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Count(Vector256<byte> bitsAnd, Vector256<byte> lut, Vector256<byte> nibble)
    {
        var high = Vector256.ShiftRightLogical(bitsAnd.AsUInt16(), 4).AsByte() & nibble;
        return Avx2.Shuffle(lut, bitsAnd & nibble) + Avx2.Shuffle(lut, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Fold(Vector256<byte> counts) =>
        Avx2.SumAbsoluteDifferences(counts, Vector256<byte>.Zero).AsUInt64();

    // 2-bit weights: both lane groups are the same rows, high and low weight plane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> CombinedAvx2(Vector256<ulong> high, Vector256<ulong> low, Vector256<int> multiplier, Vector256<int> offset, int columnSum) =>
        (Vector256.Narrow(high + high + low, Vector256<ulong>.Zero).AsInt32() * multiplier - offset * columnSum).GetLower();

    // 1-bit weights: the two lane groups are consecutive rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SeparateAvx2(Vector256<ulong> first, Vector256<ulong> second, Vector256<int> multiplier, Vector256<int> offset, int columnSum) =>
        Vector256.Narrow(first, second).AsInt32() * multiplier - offset * columnSum;
}
