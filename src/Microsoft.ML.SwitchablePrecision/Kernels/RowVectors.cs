using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
