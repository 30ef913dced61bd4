using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

// What a threaded caller does: split one product into disjoint row and column ranges, run them concurrently on the
// same packed weights and activations, each writing its tile of a shared row-major output, and get the whole product.
public class KernelRangeSplitTests
{
    private const int Rows = 40, Depth = 300, Columns = 37;

    [Fact]
    public void BitSerialTilesOnFourThreadsEqualOneCall()
    {
        var random = new Random(11);
        var weights = BitSerialWeights.FromLevels(GemmCases.RandomLevels(random, Rows * Depth, 2), Rows, Depth, 2, 2, 3);
        int perColumn = 3 * weights.WordsPerPlane;
        var words = new ulong[Columns * perColumn];
        var sums = new int[Columns];
        var levels = GemmCases.RandomLevels(random, Columns * Depth, 3);
        for (int p = 0; p < Columns; p++)
            sums[p] = BitPlaneColumns.PackColumn(levels.AsSpan(p * Depth, Depth), 3, words.AsSpan(p * perColumn, perColumn));
        AssertTilesEqualWhole(Rows, Columns, BitSerialGemm.RowAlignment, (output, layout, range) =>
            BitSerialGemm.Multiply(weights, new BitPlaneColumns(words, sums, Columns, 3, weights.WordsPerPlane), output, layout, range));
    }

    [Fact]
    public void Int8TilesOnFourThreadsEqualOneCall()
    {
        var random = new Random(12);
        var values = Enumerable.Range(0, Rows * Depth).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        var weights = Int8Weights.FromValues(values, Rows, Depth);
        var levels = GemmCases.RandomLevels(random, Columns * weights.PaddedDepth, 8);
        AssertTilesEqualWhole(Rows, Columns, Int8Gemm.RowAlignment, (output, layout, range) =>
            Int8Gemm.Multiply(weights, new ByteColumns(levels, Columns, weights.PaddedDepth, 8), output, layout, range));
    }

    private delegate void Product(Span<int> output, OutputLayout layout, GemmRange range);

    private static void AssertTilesEqualWhole(int rows, int columns, int rowAlignment, Product product)
    {
        var whole = new int[rows * columns];
        product(whole, OutputLayout.RowMajor(columns), GemmRange.All(rows, columns));
        var tiled = new int[rows * columns];
        int rowSplit = rowAlignment, columnSplit = columns / 2;
        GemmRange[] tiles =
        [
            new(0, rowSplit, 0, columnSplit), new(0, rowSplit, columnSplit, columns),
            new(rowSplit, rows, 0, columnSplit), new(rowSplit, rows, columnSplit, columns),
        ];
        Parallel.ForEach(tiles, new ParallelOptions { MaxDegreeOfParallelism = 4 }, tile =>
            product(tiled.AsSpan(tile.RowStart * columns + tile.ColumnStart), OutputLayout.RowMajor(columns), tile));
        Assert.Equal(whole, tiled);
    }
}
