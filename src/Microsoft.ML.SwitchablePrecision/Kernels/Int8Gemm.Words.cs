using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class Int8Gemm
{
    // AVX2 without VNNI, 8-bit levels and |w| > 64: vpmaddubsw would saturate, so both operands are widened to int16
    // in registers and vpmaddwd (exact: |q w| <= 255 * 128, a pair sum fits int32) makes 16 products per instruction,
    // half the multiplies of the split pair sums. A quad of 8 rows widens to two vectors of 4 rows x 4 K (vpmovsxbw);
    // a column's quad, broadcast to every 64-bit lane, widens once (vpmovzxbw) for both. vpmaddwd leaves two partial
    // sums per row in adjacent lanes; they are added once per column at the end (vphaddd, vpermq).
    // Register block: 8 rows x 4 columns, eight accumulators.
    private static void MultiplyWords(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        if (activations.IsGathered) MultiplyWords<GatheredColumns>(weights, activations, output, layout, range);
        else MultiplyWords<DenseColumns>(weights, activations, output, layout, range);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyWords<TColumns>(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range) where TColumns : struct, IColumnAddressing
    {
        const int blockBytes = Int8Weights.BlockRows * Int8Weights.QuadSize, halfBytes = blockBytes / 2;
        int quads = weights.Quads, stride = activations.ColumnStride;
        ref sbyte panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref byte levels = ref MemoryMarshal.GetReference(activations.Levels);
        ref int columnOffsets = ref MemoryMarshal.GetReference(activations.ColumnOffsets);
        ref int quadOffsets = ref MemoryMarshal.GetReference(activations.QuadOffsets);
        ref int result = ref MemoryMarshal.GetReference(output);
        for (int block = range.RowStart / Int8Weights.BlockRows; block * Int8Weights.BlockRows < range.RowEnd; block++)
        {
            int firstRow = block * Int8Weights.BlockRows;
            ref sbyte rows = ref Unsafe.Add(ref panel, block * quads * blockBytes);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref byte x0 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p, stride));
                ref byte x1 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(1, count - 1), stride));
                ref byte x2 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(2, count - 1), stride));
                ref byte x3 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(3, count - 1), stride));
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int q = 0; q < quads; q++)
                {
                    ref sbyte quad = ref Unsafe.Add(ref rows, q * blockBytes);
                    var wa = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref quad));
                    var wb = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref quad, halfBytes));
                    int k = TColumns.Gathered ? Unsafe.Add(ref quadOffsets, q) : q * Int8Weights.QuadSize;
                    var x = WideQuad(ref x0, k);
                    a0 += Avx2.MultiplyAddAdjacent(wa, x); b0 += Avx2.MultiplyAddAdjacent(wb, x);
                    x = WideQuad(ref x1, k);
                    a1 += Avx2.MultiplyAddAdjacent(wa, x); b1 += Avx2.MultiplyAddAdjacent(wb, x);
                    x = WideQuad(ref x2, k);
                    a2 += Avx2.MultiplyAddAdjacent(wa, x); b2 += Avx2.MultiplyAddAdjacent(wb, x);
                    x = WideQuad(ref x3, k);
                    a3 += Avx2.MultiplyAddAdjacent(wa, x); b3 += Avx2.MultiplyAddAdjacent(wb, x);
                }
                RowVectors.Store4(RowSums(a0, b0), RowSums(a1, b1), RowSums(a2, b2), RowSums(a3, b3), count, ref result, layout, range, firstRow, p);
            }
        }
    }

    // The four levels of a quad as int16, repeated in every 64-bit lane (the 4 K of one row of a widened weight vector).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> WideQuad(ref byte column, int k) =>
        Avx2.ConvertToVector256Int16(Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref column, k))).AsByte());

    // Lanes (2r, 2r + 1) of low hold row r's two partial sums (rows 0-3), of high rows 4-7: vphaddd gives rows
    // 0 1 4 5 | 2 3 6 7, and the 64-bit permutation 0 2 1 3 puts them in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> RowSums(Vector256<int> low, Vector256<int> high) =>
        Avx2.Permute4x64(Avx2.HorizontalAdd(low, high).AsInt64(), 0b11_01_10_00).AsInt32();
}
