namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>Argument checks shared by the GEMM kernels and their packers; every message names the value and what was expected.</summary>
internal static class KernelChecks
{
    public static void Positive(int value, string parameter)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} is {value}; expected a positive size.");
    }

    public static void Length(int actual, long expected, string parameter, string formula)
    {
        if (actual != expected)
            throw new ArgumentException($"{parameter} has {actual} elements; expected {formula} = {expected}.", parameter);
    }

    /// <summary>Column-major activations: column <c>p</c> starts at <c>p * columnStride</c> and needs <c>rowLength</c> elements.</summary>
    public static void Columns(int length, int columns, int columnStride, int rowLength, string parameter)
    {
        Positive(columns, nameof(columns));
        if (columnStride < rowLength)
            throw new ArgumentOutOfRangeException(nameof(columnStride), columnStride,
                $"column stride {columnStride} is shorter than a column ({rowLength} elements).");
        long needed = (long)(columns - 1) * columnStride + rowLength;
        if (length < needed)
            throw new ArgumentException(
                $"{parameter} has {length} elements; {columns} columns of stride {columnStride} and length {rowLength} need {needed}.",
                parameter);
    }

    /// <summary>Rows of weights padded up to whole blocks of <paramref name="block"/> rows, and to an even number of blocks.</summary>
    public static int PaddedBlocks(int rows, int block) => ((rows + block - 1) / block + 1) & ~1;
}
