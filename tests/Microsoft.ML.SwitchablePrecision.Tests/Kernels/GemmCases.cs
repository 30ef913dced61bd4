using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

// Straightforward definitions on unpacked matrices (weights row-major [M, K], activations column-major [P, K]) and
// the output placement every GEMM kernel shares, so each kernel test compares a packed variant with plain loops.
internal static class GemmCases
{
    // A range that starts and ends inside the matrix (not at a block boundary) when the shape allows it.
    public static GemmRange Inner(int rows, int columns) =>
        new(rows > 2 ? 1 : 0, rows > 3 ? rows - 1 : rows, columns > 2 ? 1 : 0, columns > 3 ? columns - 1 : columns);

    public static OutputLayout Layout(bool columnMajor, GemmRange range) =>
        columnMajor ? OutputLayout.ColumnMajor(range.RowCount) : OutputLayout.RowMajor(range.ColumnCount);

    public static int Index(OutputLayout layout, GemmRange range, int m, int p) =>
        (m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride;

    // out[m, p] = sum_k w[m, k] a[k, p] in long arithmetic, placed as the kernels place it.
    public static int[] IntegerProduct(int[] weights, byte[] activations, int depth, int columnStride, GemmRange range, OutputLayout layout)
    {
        var output = new int[range.RowCount * range.ColumnCount];
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                long sum = 0;
                for (int k = 0; k < depth; k++) sum += (long)weights[m * depth + k] * activations[p * columnStride + k];
                output[Index(layout, range, m, p)] = checked((int)sum);
            }
        return output;
    }

    public static byte[] RandomLevels(Random random, int count, int bits)
    {
        var levels = new byte[count];
        for (int i = 0; i < count; i++) levels[i] = (byte)random.Next(0, 1 << bits);
        return levels;
    }

    public static float[] RandomFloats(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
