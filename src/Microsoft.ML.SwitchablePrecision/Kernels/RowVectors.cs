using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Stores a vector holding consecutive output rows <c>firstRow ..</c> of one column, the result shape of the
/// vector GEMM kernels (one lane per weight row). Only rows inside the range are written; with a row stride of 1
/// and every lane inside the range it is one vector store, otherwise one scalar store per row.
/// <c>output</c> is the output span's first element (the range's element <c>(RowStart, ColumnStart)</c>).
/// </summary>
internal static class RowVectors
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector512<T> values, ref T output, OutputLayout layout, GemmRange range, int firstRow, int column)
    {
        ref T target = ref Target(ref output, layout, range, firstRow, column);
        int count = Vector512<T>.Count;
        if (layout.RowStride == 1 && firstRow >= range.RowStart && firstRow + count <= range.RowEnd) values.StoreUnsafe(ref target);
        else Scatter(values, ref target, layout.RowStride, First(range, firstRow), Last(range, firstRow, count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector256<T> values, ref T output, OutputLayout layout, GemmRange range, int firstRow, int column)
    {
        ref T target = ref Target(ref output, layout, range, firstRow, column);
        int count = Vector256<T>.Count;
        if (layout.RowStride == 1 && firstRow >= range.RowStart && firstRow + count <= range.RowEnd) values.StoreUnsafe(ref target);
        else Scatter(values.ToVector512(), ref target, layout.RowStride, First(range, firstRow), Last(range, firstRow, count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector128<T> values, ref T output, OutputLayout layout, GemmRange range, int firstRow, int column)
    {
        ref T target = ref Target(ref output, layout, range, firstRow, column);
        int count = Vector128<T>.Count;
        if (layout.RowStride == 1 && firstRow >= range.RowStart && firstRow + count <= range.RowEnd) values.StoreUnsafe(ref target);
        else Scatter(values.ToVector256().ToVector512(), ref target, layout.RowStride, First(range, firstRow), Last(range, firstRow, count));
    }

    /// <summary>
    /// Four columns <c>column .. column + 3</c> (the first <paramref name="count"/> of them real) of 16 rows each. With
    /// a column stride of 1 (row-major output) and every row and column inside the range, each 4 x 4 tile is
    /// transposed in registers and written as one 16-byte store per row; otherwise column by column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store4(Vector512<int> c0, Vector512<int> c1, Vector512<int> c2, Vector512<int> c3, int count,
        ref int output, OutputLayout layout, GemmRange range, int firstRow, int column)
    {
        if (Transposable(layout, range, firstRow, Vector512<int>.Count, count))
        {
            ref int target = ref Target(ref output, layout, range, firstRow, column);
            Store4(c0.GetLower(), c1.GetLower(), c2.GetLower(), c3.GetLower(), ref target, layout.RowStride);
            Store4(c0.GetUpper(), c1.GetUpper(), c2.GetUpper(), c3.GetUpper(), ref Unsafe.Add(ref target, (nint)8 * layout.RowStride), layout.RowStride);
            return;
        }
        Store(c0, ref output, layout, range, firstRow, column);
        if (count > 1) Store(c1, ref output, layout, range, firstRow, column + 1);
        if (count > 2) Store(c2, ref output, layout, range, firstRow, column + 2);
        if (count > 3) Store(c3, ref output, layout, range, firstRow, column + 3);
    }

    /// <summary>As the 16-row overload, for 8 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store4(Vector256<int> c0, Vector256<int> c1, Vector256<int> c2, Vector256<int> c3, int count,
        ref int output, OutputLayout layout, GemmRange range, int firstRow, int column)
    {
        if (Transposable(layout, range, firstRow, Vector256<int>.Count, count))
        {
            Store4(c0, c1, c2, c3, ref Target(ref output, layout, range, firstRow, column), layout.RowStride);
            return;
        }
        Store(c0, ref output, layout, range, firstRow, column);
        if (count > 1) Store(c1, ref output, layout, range, firstRow, column + 1);
        if (count > 2) Store(c2, ref output, layout, range, firstRow, column + 2);
        if (count > 3) Store(c3, ref output, layout, range, firstRow, column + 3);
    }

    /// <summary>As the 16-row overload, for 4 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store4(Vector128<int> c0, Vector128<int> c1, Vector128<int> c2, Vector128<int> c3, int count,
        ref int output, OutputLayout layout, GemmRange range, int firstRow, int column)
    {
        if (Transposable(layout, range, firstRow, Vector128<int>.Count, count))
        {
            Transpose4(c0, c1, c2, c3, ref Target(ref output, layout, range, firstRow, column), layout.RowStride);
            return;
        }
        Store(c0, ref output, layout, range, firstRow, column);
        if (count > 1) Store(c1, ref output, layout, range, firstRow, column + 1);
        if (count > 2) Store(c2, ref output, layout, range, firstRow, column + 2);
        if (count > 3) Store(c3, ref output, layout, range, firstRow, column + 3);
    }

    private static bool Transposable(OutputLayout layout, GemmRange range, int firstRow, int rows, int count) =>
        Sse2.IsSupported && count == 4 && layout.ColumnStride == 1 && firstRow >= range.RowStart && firstRow + rows <= range.RowEnd;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(Vector256<int> c0, Vector256<int> c1, Vector256<int> c2, Vector256<int> c3, ref int target, int rowStride)
    {
        Transpose4(c0.GetLower(), c1.GetLower(), c2.GetLower(), c3.GetLower(), ref target, rowStride);
        Transpose4(c0.GetUpper(), c1.GetUpper(), c2.GetUpper(), c3.GetUpper(), ref Unsafe.Add(ref target, (nint)4 * rowStride), rowStride);
    }

    // Lane r of column j goes to row r, column j: the classic two-stage unpack transpose of a 4 x 4 tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(Vector128<int> c0, Vector128<int> c1, Vector128<int> c2, Vector128<int> c3, ref int target, int rowStride)
    {
        var low01 = Sse2.UnpackLow(c0, c1).AsInt64();
        var high01 = Sse2.UnpackHigh(c0, c1).AsInt64();
        var low23 = Sse2.UnpackLow(c2, c3).AsInt64();
        var high23 = Sse2.UnpackHigh(c2, c3).AsInt64();
        Sse2.UnpackLow(low01, low23).AsInt32().StoreUnsafe(ref target);
        Sse2.UnpackHigh(low01, low23).AsInt32().StoreUnsafe(ref Unsafe.Add(ref target, (nint)rowStride));
        Sse2.UnpackLow(high01, high23).AsInt32().StoreUnsafe(ref Unsafe.Add(ref target, (nint)2 * rowStride));
        Sse2.UnpackHigh(high01, high23).AsInt32().StoreUnsafe(ref Unsafe.Add(ref target, (nint)3 * rowStride));
    }

    // The target may lie before the span when the vector starts above RowStart; only lanes inside the range are touched.
    private static ref T Target<T>(ref T output, OutputLayout layout, GemmRange range, int firstRow, int column) =>
        ref Unsafe.Add(ref output, (nint)(firstRow - range.RowStart) * layout.RowStride + (nint)(column - range.ColumnStart) * layout.ColumnStride);

    private static int First(GemmRange range, int firstRow) => Math.Max(0, range.RowStart - firstRow);

    private static int Last(GemmRange range, int firstRow, int count) => Math.Min(count, range.RowEnd - firstRow);

    private static void Scatter<T>(Vector512<T> values, ref T target, int rowStride, int first, int last)
    {
        for (int r = first; r < last; r++) Unsafe.Add(ref target, (nint)r * rowStride) = values.GetElement(r);
    }
}
