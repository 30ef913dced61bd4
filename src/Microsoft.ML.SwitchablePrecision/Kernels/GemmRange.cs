namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// The block of a GEMM output <c>[M, P]</c> one call computes: rows <c>[RowStart, RowEnd)</c> and columns
/// <c>[ColumnStart, ColumnEnd)</c>. Threads split a product by giving each call a disjoint range over the same
/// read-only weights and activations; nothing is copied.
/// </summary>
internal readonly record struct GemmRange(int RowStart, int RowEnd, int ColumnStart, int ColumnEnd)
{
    /// <summary>The whole output <c>[rows, columns]</c>.</summary>
    public static GemmRange All(int rows, int columns) => new(0, rows, 0, columns);

    /// <summary>Rows in the range.</summary>
    public int RowCount => RowEnd - RowStart;

    /// <summary>Columns in the range.</summary>
    public int ColumnCount => ColumnEnd - ColumnStart;

    /// <summary>Throws unless the range is non-empty and inside <c>[rows, columns]</c>.</summary>
    public void Check(int rows, int columns)
    {
        if (RowStart < 0 || RowEnd > rows || RowStart >= RowEnd)
            throw new ArgumentOutOfRangeException("range",
                $"rows [{RowStart}, {RowEnd}) are not a non-empty range inside the weights' {rows} rows.");
        if (ColumnStart < 0 || ColumnEnd > columns || ColumnStart >= ColumnEnd)
            throw new ArgumentOutOfRangeException("range",
                $"columns [{ColumnStart}, {ColumnEnd}) are not a non-empty range inside the activations' {columns} columns.");
    }
}

/// <summary>
/// Where a kernel writes output element <c>(m, p)</c> of its <see cref="GemmRange"/>: at
/// <c>(m - RowStart) * RowStride + (p - ColumnStart) * ColumnStride</c> of the output span, so index 0 is the range's
/// first element. <c>(P, 1)</c> is the row-major <c>[M, P]</c> output (NCHW for one image); <c>(1, M)</c> writes
/// column-major <c>[P, M]</c> (channels-last, what a channel-fastest im2col reads), and is the fastest layout for
/// the vector kernels, which compute a vector of rows per column.
/// </summary>
internal readonly record struct OutputLayout(int RowStride, int ColumnStride)
{
    /// <summary>Row-major <c>[M, P]</c>: <c>(m, p)</c> at <c>m * columns + p</c>.</summary>
    public static OutputLayout RowMajor(int columns) => new(columns, 1);

    /// <summary>Column-major <c>[P, M]</c>: <c>(m, p)</c> at <c>p * rows + m</c>.</summary>
    public static OutputLayout ColumnMajor(int rows) => new(1, rows);

    /// <summary>Throws unless the strides are positive and <paramref name="length"/> holds the whole range.</summary>
    public void Check(GemmRange range, int length)
    {
        if (RowStride <= 0 || ColumnStride <= 0)
            throw new ArgumentOutOfRangeException("layout", $"output strides ({RowStride}, {ColumnStride}) must be positive.");
        long last = (long)(range.RowCount - 1) * RowStride + (long)(range.ColumnCount - 1) * ColumnStride;
        if (last >= length)
            throw new ArgumentException(
                $"output has {length} elements; the range {range.RowCount} x {range.ColumnCount} with strides ({RowStride}, {ColumnStride}) needs {last + 1}.",
                "output");
    }
}
