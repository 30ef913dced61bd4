using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class Int8GemmNibbleTests
{
    // (rows, depth, columns): K odd, below a quad, past a flush of 8 quads and a 32-byte vector; partial row blocks.
    private static readonly (int Rows, int Depth, int Columns)[] Shapes =
    [
        (1, 1, 1), (8, 3, 1), (17, 65, 9), (24, 577, 5), (64, 576, 11), (9, 31, 4), (16, 128, 13), (13, 129, 2),
        (5, 33, 10), (32, 1152, 3),
    ];

    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var (rows, depth, columns) in Shapes) data.Add(rows, depth, columns);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVariantEqualsTheReferenceOnTheWholeLevels(int rows, int depth, int columns)
    {
        var random = new Random(rows * 7 + depth + columns);
        // Full s8 weights with +-127 and -128 in every row: the pair sums of whole 8-bit levels would saturate.
        var values = Enumerable.Range(0, rows * depth).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        for (int m = 0; m < rows; m++) values[m * depth + (m % depth)] = (m % 3) switch { 0 => 127, 1 => -127, _ => -128 };
        var weights = Int8Weights.FromValues(values, rows, depth);
        int stride = weights.PaddedDepth + 3;
        var levels = GemmCases.RandomLevels(random, columns * stride, 8);
        // Runs of the largest level with the most negative weight: the int16 sums meet their bound over 8 quads.
        for (int p = 0; p < columns; p++)
            for (int k = 0; k < Math.Min(depth, 40); k++) levels[p * stride + k] = 255;
        var low = (byte[])levels.Clone();
        var high = new byte[low.Length];
        NibbleColumns.Split(low, high);
        foreach (var variant in KernelSupport.Supported(Int8Gemm.NibblePreference))
            foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
                foreach (bool columnMajor in new[] { false, true })
                {
                    var layout = GemmCases.Layout(columnMajor, range);
                    var expected = new int[range.RowCount * range.ColumnCount];
                    var output = new int[expected.Length];
                    Int8Gemm.Reference(weights, new ByteColumns(levels, columns, stride, 8), expected, layout, range);
                    Int8Gemm.MultiplyNibbles(weights, new ByteColumns(low, columns, stride, 4), new ByteColumns(high, columns, stride, 4),
                        output, layout, range, variant);
                    Assert.Equal(expected, output);
                }
    }

    [Fact]
    public void MostNegativeWeightsOnTheLargestLevelsStayExact()
    {
        const int rows = 16, depth = 256;
        var weights = Int8Weights.FromValues(Enumerable.Repeat((sbyte)-128, rows * depth).ToArray(), rows, depth);
        var levels = Enumerable.Repeat((byte)255, depth).ToArray();
        var low = (byte[])levels.Clone();
        var high = new byte[depth];
        NibbleColumns.Split(low, high);
        foreach (var variant in KernelSupport.Supported(Int8Gemm.NibblePreference))
        {
            var output = new int[rows];
            Int8Gemm.MultiplyNibbles(weights, new ByteColumns(low, 1, depth, 4), new ByteColumns(high, 1, depth, 4), output,
                OutputLayout.ColumnMajor(rows), GemmRange.All(rows, 1), variant);
            Assert.All(output, value => Assert.Equal(-128 * 255 * depth, value));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(77)]
    public void TheSplitIsTheLowAndHighNibble(int length)
    {
        var levels = Enumerable.Range(0, length).Select(i => (byte)(i * 37 + 11)).ToArray();
        var low = (byte[])levels.Clone();
        var high = new byte[length];
        NibbleColumns.Split(low, high);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(levels[i] & 15, low[i]);
            Assert.Equal(levels[i] >> 4, high[i]);
        }
        var portableLow = (byte[])levels.Clone();
        var portableHigh = new byte[length];
        using (KernelSupport.PortableOnly()) NibbleColumns.Split(portableLow, portableHigh);
        Assert.Equal(low, portableLow);
        Assert.Equal(high, portableHigh);
    }

    [Fact]
    public void MismatchedNibbleColumnsAreRefused()
    {
        var weights = Int8Weights.FromValues([1, 2, 3, 4], 1, 4);
        var error = Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyNibbles(weights, new ByteColumns(new byte[8], 2, 4, 4),
            new ByteColumns(new byte[10], 2, 5, 4), new int[2], OutputLayout.RowMajor(2), GemmRange.All(1, 2)));
        Assert.Contains("nibble columns", error.Message);
    }
}
