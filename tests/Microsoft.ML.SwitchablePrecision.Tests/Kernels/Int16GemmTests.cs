using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class Int16GemmTests
{
    // (activation bits, rows, depth, columns): K odd, below a pair, ResNet-20 and -18 shapes; batch 1 and more.
    public static TheoryData<string, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int, int>();
        (int, int, int, int)[] shapes =
        [
            (8, 1, 1, 1), (8, 8, 3, 1), (8, 17, 65, 9), (8, 32, 288, 13), (8, 64, 577, 5), (7, 9, 31, 4), (4, 24, 144, 7), (1, 5, 2, 6),
        ];
        foreach (var variant in Int16Gemm.Variants)
            foreach (var (bits, rows, depth, columns) in shapes) data.Add(variant.ToString(), bits, rows, depth, columns);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVariantEqualsTheIntegerProduct(string variant, int bits, int rows, int depth, int columns)
    {
        var random = new Random(bits * 97 + rows * 5 + depth + columns);
        // DoReFa 8-bit weights: odd integers 2L - 255, the extremes +-255 in every row.
        var integers = Enumerable.Range(0, rows * depth).Select(_ => 2 * random.Next(256) - 255).ToArray();
        for (int m = 0; m < rows; m++) integers[m * depth + m % depth] = m % 2 == 0 ? 255 : -255;
        var weights = Int16Weights.FromValues(integers.Select(v => (short)v).ToArray(), rows, depth);
        int stride = weights.PaddedDepth + 2;
        var levels = GemmCases.RandomLevels(random, columns * stride, bits);
        for (int p = 0; p < columns; p++) levels[p * stride] = (byte)((1 << bits) - 1);
        var wide = new short[levels.Length];
        LevelWidening.Widen(levels, wide);
        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var output = new int[range.RowCount * range.ColumnCount];
                Int16Gemm.Multiply(weights, new ShortColumns(wide, columns, stride, bits), output, layout, range, Enum.Parse<KernelVariant>(variant));
                Assert.Equal(GemmCases.IntegerProduct(integers, levels, depth, stride, range, layout), output);
            }
    }

    [Fact]
    public void TheLargestProductsOfALongRowStayExact()
    {
        // 4608 products of 255 x -255 (ResNet-18's deepest layer): -299,635,200, inside int32.
        const int depth = 4608;
        var weights = Int16Weights.FromValues(Enumerable.Repeat((short)-255, 17 * depth).ToArray(), 17, depth);
        var wide = Enumerable.Repeat((short)255, 3 * depth).ToArray();
        foreach (var variant in Int16Gemm.Variants)
        {
            var output = new int[17 * 3];
            Int16Gemm.Multiply(weights, new ShortColumns(wide, 3, depth, 8), output, OutputLayout.RowMajor(3), GemmRange.All(17, 3), variant);
            Assert.All(output, value => Assert.Equal(-255 * 255 * depth, value));
        }
    }

    [Fact]
    public void ShortColumnsAndLevelsOutOfRangeAreRejectedByName()
    {
        var weights = Int16Weights.FromValues([1, 2, 3], 1, 3);
        var error = Assert.Throws<ArgumentException>(() =>
            Int16Gemm.Multiply(weights, new ShortColumns(new short[6], 2, 3, 8), new int[2], OutputLayout.RowMajor(2), GemmRange.All(1, 2)));
        Assert.Contains("stride 3; the weights read 4 values per column", error.Message);
        error = Assert.Throws<ArgumentException>(() =>
            Int16Gemm.Reference(weights, new ShortColumns([0, 16, 0, 0], 1, 4, 4), new int[1], OutputLayout.RowMajor(1), GemmRange.All(1, 1)));
        Assert.Contains("activation level [1, 0] is 16; expected a 4-bit level in 0..15", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    public void WideningEqualsTheElementLoopWithAndWithoutVectors(int count)
    {
        var source = Enumerable.Range(0, count).Select(i => (byte)(i * 37 + 200)).ToArray();
        var expected = new short[count];
        LevelWidening.Reference(source, expected);
        var vector = new short[count];
        LevelWidening.Widen(source, vector);
        var portable = new short[count];
        using (KernelSupport.PortableOnly()) LevelWidening.Widen(source, portable);
        Assert.Equal(expected, vector);
        Assert.Equal(expected, portable);
        Assert.Equal(source.Select(b => (short)b), expected);
    }
}
