using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class Int8Gemm
{
    /// <summary>
    /// How many quads of K the grouped pair sums may add in int16 before widening: a pair sum is at most
    /// <c>2 |w|max (2^bits - 1)</c> in magnitude, so <c>32767 / that</c> of them fit (at most <see cref="Int8Weights.Quads"/>).
    /// 0 where a single pair sum could saturate <c>vpmaddubsw</c>.
    /// </summary>
    public static int GroupedQuads(Int8Weights weights, int activationBits)
    {
        ArgumentNullException.ThrowIfNull(weights);
        long pairBound = 2L * weights.MaxMagnitude * ((1 << activationBits) - 1);
        if (pairBound == 0) return weights.Quads;
        return (int)Math.Min(short.MaxValue / pairBound, weights.Quads);
    }

    // The pair sums of vpmaddubsw are added in int16 (vpaddw, exact while the group bound holds) and widened by one
    // vpmaddwd per group instead of one per quad: one multiply per 32 products instead of two. Same register block and
    // layout as MultiplyVector (16 rows x 4 columns), plus eight int16 accumulators.
    private static void MultiplyGrouped(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        int group = GroupedQuads(weights, activations.Bits);
        if (activations.IsGathered) MultiplyGrouped<GatheredColumns>(weights, activations, output, layout, range, group);
        else MultiplyGrouped<DenseColumns>(weights, activations, output, layout, range, group);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyGrouped<TColumns>(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range, int group) where TColumns : struct, IColumnAddressing
    {
        const int unitRows = 2 * Int8Weights.BlockRows, blockBytes = Int8Weights.BlockRows * Int8Weights.QuadSize;
        int quads = weights.Quads, stride = activations.ColumnStride;
        var ones = Vector256.Create((short)1);
        ref sbyte panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref byte levels = ref MemoryMarshal.GetReference(activations.Levels);
        ref int columnOffsets = ref MemoryMarshal.GetReference(activations.ColumnOffsets);
        ref int quadOffsets = ref MemoryMarshal.GetReference(activations.QuadOffsets);
        ref int result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            ref sbyte blockA = ref Unsafe.Add(ref panel, 2 * unit * quads * blockBytes);
            ref sbyte blockB = ref Unsafe.Add(ref blockA, quads * blockBytes);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref byte x0 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p, stride));
                ref byte x1 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(1, count - 1), stride));
                ref byte x2 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(2, count - 1), stride));
                ref byte x3 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(3, count - 1), stride));
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int start = 0; start < quads; start += group)
                {
                    Vector256<short> s0 = default, s1 = default, s2 = default, s3 = default;
                    Vector256<short> t0 = default, t1 = default, t2 = default, t3 = default;
                    int end = Math.Min(start + group, quads);
                    for (int q = start; q < end; q++)
                    {
                        var wa = Vector256.LoadUnsafe(ref blockA, (nuint)(q * blockBytes));
                        var wb = Vector256.LoadUnsafe(ref blockB, (nuint)(q * blockBytes));
                        int k = TColumns.Gathered ? Unsafe.Add(ref quadOffsets, q) : q * Int8Weights.QuadSize;
                        var x = Quad(ref x0, k);
                        s0 += Avx2.MultiplyAddAdjacent(x, wa); t0 += Avx2.MultiplyAddAdjacent(x, wb);
                        x = Quad(ref x1, k);
                        s1 += Avx2.MultiplyAddAdjacent(x, wa); t1 += Avx2.MultiplyAddAdjacent(x, wb);
                        x = Quad(ref x2, k);
                        s2 += Avx2.MultiplyAddAdjacent(x, wa); t2 += Avx2.MultiplyAddAdjacent(x, wb);
                        x = Quad(ref x3, k);
                        s3 += Avx2.MultiplyAddAdjacent(x, wa); t3 += Avx2.MultiplyAddAdjacent(x, wb);
                    }
                    a0 += Avx2.MultiplyAddAdjacent(s0, ones); b0 += Avx2.MultiplyAddAdjacent(t0, ones);
                    a1 += Avx2.MultiplyAddAdjacent(s1, ones); b1 += Avx2.MultiplyAddAdjacent(t1, ones);
                    a2 += Avx2.MultiplyAddAdjacent(s2, ones); b2 += Avx2.MultiplyAddAdjacent(t2, ones);
                    a3 += Avx2.MultiplyAddAdjacent(s3, ones); b3 += Avx2.MultiplyAddAdjacent(t3, ones);
                }
                RowVectors.Store4(a0, a1, a2, a3, count, ref result, layout, range, firstRow, p);
                RowVectors.Store4(b0, b1, b2, b3, count, ref result, layout, range, firstRow + Int8Weights.BlockRows, p);
            }
        }
    }
}
