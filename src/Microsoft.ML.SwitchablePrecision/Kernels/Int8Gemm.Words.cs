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
    // Register block: 16 rows x 2 columns, eight accumulators: the columns are read once per 16 rows (an 8 x 4 block
    // read them twice as often and was slower than the split pair sums on 8192-column layers, docs/kernels.md).
    private const int WordColumns = 2;

    private static void MultiplyWords(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        if (activations.IsGathered) MultiplyWords<GatheredColumns>(weights, activations, output, layout, range);
        else MultiplyWords<DenseColumns>(weights, activations, output, layout, range);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyWords<TColumns>(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range) where TColumns : struct, IColumnAddressing
    {
        const int unitRows = 2 * Int8Weights.BlockRows, blockBytes = Int8Weights.BlockRows * Int8Weights.QuadSize, halfBytes = blockBytes / 2;
        int quads = weights.Quads, stride = activations.ColumnStride;
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
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += WordColumns)
            {
                int count = Math.Min(WordColumns, range.ColumnEnd - p);
                ref byte x0 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p, stride));
                ref byte x1 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(1, count - 1), stride));
                Vector256<int> a0 = default, a1 = default, b0 = default, b1 = default;
                Vector256<int> c0 = default, c1 = default, d0 = default, d1 = default;
                for (int q = 0; q < quads; q++)
                {
                    ref sbyte quadA = ref Unsafe.Add(ref blockA, q * blockBytes);
                    ref sbyte quadB = ref Unsafe.Add(ref blockB, q * blockBytes);
                    var wa = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref quadA));
                    var wb = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref quadA, halfBytes));
                    var wc = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref quadB));
                    var wd = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref quadB, halfBytes));
                    int k = TColumns.Gathered ? Unsafe.Add(ref quadOffsets, q) : q * Int8Weights.QuadSize;
                    var x = WideQuad(ref x0, k);
                    a0 += Avx2.MultiplyAddAdjacent(wa, x); b0 += Avx2.MultiplyAddAdjacent(wb, x);
                    c0 += Avx2.MultiplyAddAdjacent(wc, x); d0 += Avx2.MultiplyAddAdjacent(wd, x);
                    x = WideQuad(ref x1, k);
                    a1 += Avx2.MultiplyAddAdjacent(wa, x); b1 += Avx2.MultiplyAddAdjacent(wb, x);
                    c1 += Avx2.MultiplyAddAdjacent(wc, x); d1 += Avx2.MultiplyAddAdjacent(wd, x);
                }
                StoreWords(RowSums(a0, b0), RowSums(a1, b1), count, ref result, layout, range, firstRow, p);
                StoreWords(RowSums(c0, d0), RowSums(c1, d1), count, ref result, layout, range, firstRow + Int8Weights.BlockRows, p);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreWords(Vector256<int> c0, Vector256<int> c1, int count, ref int result, OutputLayout layout, GemmRange range,
        int firstRow, int column)
    {
        RowVectors.Store(c0, ref result, layout, range, firstRow, column);
        if (count > 1) RowVectors.Store(c1, ref result, layout, range, firstRow, column + 1);
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
