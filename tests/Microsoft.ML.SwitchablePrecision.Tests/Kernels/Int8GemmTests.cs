using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class Int8GemmTests
{
    public static TheoryData<string> Variants() => [.. Int8Gemm.Variants.Select(v => v.ToString())];

    // (weight bits, activation bits, rows, depth, columns); K odd, below and past a quad and a 32-byte vector.
    public static TheoryData<string, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int, int, int>();
        (int, int, int, int, int)[] shapes =
        [
            (8, 8, 1, 1, 1), (3, 3, 16, 144, 49), (4, 4, 5, 3, 7), (4, 2, 17, 65, 9), (5, 5, 32, 288, 13),
            (6, 7, 9, 31, 4), (7, 8, 3, 129, 6), (8, 8, 24, 577, 5), (8, 1, 64, 576, 11), (8, 6, 7, 33, 10),
        ];
        foreach (var variant in Int8Gemm.Variants)
            foreach (var (wb, ab, m, k, p) in shapes) data.Add(variant.ToString(), wb, ab, m, k, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryVariantEqualsTheIntegerProduct(string variant, int weightBits, int activationBits, int rows, int depth, int columns)
    {
        var random = new Random(weightBits * 1009 + activationBits * 31 + depth + rows);
        int half = 1 << (weightBits - 1);
        var integers = Enumerable.Range(0, rows * depth).Select(_ => random.Next(-half, half)).ToArray();
        var weights = Int8Weights.FromValues(integers.Select(w => (sbyte)w).ToArray(), rows, depth);
        // Columns padded past the weights' padded depth, the padding filled with noise the kernel must ignore.
        int stride = weights.PaddedDepth + 3;
        var levels = GemmCases.RandomLevels(random, columns * stride, activationBits);
        var activations = new ByteColumns(levels, columns, stride, activationBits);
        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var output = new int[range.RowCount * range.ColumnCount];
                Int8Gemm.Multiply(weights, activations, output, layout, range, Enum.Parse<KernelVariant>(variant));
                Assert.Equal(GemmCases.IntegerProduct(integers, levels, depth, stride, range, layout), output);
            }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ExtremeLevelsThatWouldSaturateSixteenBitPairsStayExact(string variant)
    {
        // 255 * -128 + 255 * -128 = -65280 overflows a 16-bit pair sum; 255 * 127 pairs reach +64770.
        int depth = 100, columns = 3;
        var w = new sbyte[2 * depth];
        Array.Fill(w, sbyte.MinValue, 0, depth);
        Array.Fill(w, sbyte.MaxValue, depth, depth);
        var weights = Int8Weights.FromValues(w, 2, depth);
        var levels = Enumerable.Repeat((byte)255, columns * weights.PaddedDepth).ToArray();
        var output = new int[2 * columns];
        Int8Gemm.Multiply(weights, new ByteColumns(levels, columns, weights.PaddedDepth, 8), output,
            OutputLayout.RowMajor(columns), GemmRange.All(2, columns), Enum.Parse<KernelVariant>(variant));
        Assert.Equal([-3264000, -3264000, -3264000, 3238500, 3238500, 3238500], output);
    }

    [Fact]
    public void PackerRoundTripsAndPadsDepthToQuads()
    {
        var values = Enumerable.Range(0, 3 * 7).Select(i => (sbyte)(i * 11 - 110)).ToArray();
        var weights = Int8Weights.FromValues(values, 3, 7);
        Assert.Equal(8, weights.PaddedDepth);
        Assert.Equal(2, weights.RowBlocks);
        for (int m = 0; m < 3; m++)
            for (int k = 0; k < 7; k++) Assert.Equal(values[m * 7 + k], weights.Weight(m, k));
        Assert.Equal(0, weights.Weight(0, 7));
        Assert.Equal(110, weights.MaxMagnitude);
    }

    [Fact]
    public void ShortColumnsAndLevelsAboveTheBitWidthAreRejected()
    {
        var weights = Int8Weights.FromValues(new sbyte[2 * 6], 2, 6);
        var shortColumns = Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(weights,
            new ByteColumns(new byte[12], 2, 6, 8), new int[4], OutputLayout.RowMajor(2), GemmRange.All(2, 2)));
        Assert.Contains("read 8 bytes per column", shortColumns.Message);
        var levels = new byte[16];
        levels[9] = 4;
        var tooHigh = Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(weights,
            new ByteColumns(levels, 2, 8, 2), new int[4], OutputLayout.RowMajor(2), GemmRange.All(2, 2), KernelVariant.Reference));
        Assert.Contains("activation level [1, 1] is 4; expected a 2-bit level below 4", tooHigh.Message);
    }
}
