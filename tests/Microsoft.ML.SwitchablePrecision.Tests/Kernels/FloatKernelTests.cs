using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class FloatKernelTests
{
    private static readonly (int Rows, int Depth, int Columns)[] ShapeList =
        [(1, 1, 1), (16, 9, 49), (10, 64, 3), (32, 16, 13), (17, 145, 9), (64, 576, 11), (5, 31, 20), (48, 288, 7)];

    public static TheoryData<string, int, int, int> SignShapes() => Cross(SignAccumulateGemm.Variants);

    public static TheoryData<string, int, int, int> FloatShapes() => Cross(FloatGemm.Variants);

    [Theory]
    [MemberData(nameof(SignShapes))]
    public void SignAccumulationEqualsAddingAndSubtractingInKOrder(string variant, int rows, int depth, int columns)
    {
        var random = new Random(rows * 31 + depth);
        var w = GemmCases.RandomFloats(random, rows * depth);
        var weights = SignWeights.FromSigns(w, rows, depth);
        int stride = depth + 1;
        var a = GemmCases.RandomFloats(random, columns * stride);
        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var output = new float[range.RowCount * range.ColumnCount];
                SignAccumulateGemm.Multiply(weights, new FloatColumns(a, columns, stride, depth), output, layout, range,
                    Enum.Parse<KernelVariant>(variant));
                var expected = new float[output.Length];
                for (int m = range.RowStart; m < range.RowEnd; m++)
                    for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
                    {
                        float sum = 0;
                        for (int k = 0; k < depth; k++) sum += w[m * depth + k] >= 0 ? a[p * stride + k] : -a[p * stride + k];
                        expected[GemmCases.Index(layout, range, m, p)] = sum;
                    }
                Assert.Equal(expected, output);
            }
    }

    [Theory]
    [MemberData(nameof(FloatShapes))]
    public void FloatGemmEqualsFusedMultiplyAddsInKOrder(string variant, int rows, int depth, int columns)
    {
        var random = new Random(rows * 17 + depth);
        var w = GemmCases.RandomFloats(random, rows * depth);
        var weights = FloatGemmWeights.FromMatrix(w, rows, depth);
        int stride = depth + 2;
        var a = GemmCases.RandomFloats(random, columns * stride);
        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var output = new float[range.RowCount * range.ColumnCount];
                FloatGemm.Multiply(weights, new FloatColumns(a, columns, stride, depth), output, layout, range,
                    Enum.Parse<KernelVariant>(variant));
                var expected = new float[output.Length];
                for (int m = range.RowStart; m < range.RowEnd; m++)
                    for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
                    {
                        float sum = 0;
                        double exact = 0;
                        for (int k = 0; k < depth; k++)
                        {
                            sum = MathF.FusedMultiplyAdd(w[m * depth + k], a[p * stride + k], sum);
                            exact += (double)w[m * depth + k] * a[p * stride + k];
                        }
                        Assert.True(Math.Abs(sum - exact) <= 1e-5 * depth, $"reference drifted at ({m}, {p})");
                        expected[GemmCases.Index(layout, range, m, p)] = sum;
                    }
                Assert.Equal(expected, output);
            }
    }

    [Fact]
    public void PackersRoundTripAndDepthMismatchIsRejected()
    {
        var w = GemmCases.RandomFloats(new Random(5), 17 * 3);
        var floats = FloatGemmWeights.FromMatrix(w, 17, 3);
        var signs = SignWeights.FromSigns(w, 17, 3);
        Assert.Equal(2, floats.RowBlocks);
        for (int m = 0; m < 17; m++)
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(w[m * 3 + k], floats.Weight(m, k));
                Assert.Equal(w[m * 3 + k] >= 0 ? 1 : -1, signs.Sign(m, k));
            }
        Assert.Equal(2 * 3 * sizeof(ushort), signs.PackedByteCount);
        var error = Assert.Throws<ArgumentException>(() => FloatGemm.Multiply(floats,
            new FloatColumns(new float[8], 2, 4, 4), new float[34], OutputLayout.RowMajor(2), GemmRange.All(17, 2)));
        Assert.Contains("depth 4; expected the weights' depth 3", error.Message);
    }

    [Fact]
    public void ConvolutionRowsPutTheInputChannelFastest()
    {
        // [out 1, in 2, 1, 2]: PyTorch order (c0 j0, c0 j1, c1 j0, c1 j1) -> (j0 c0, j0 c1, j1 c0, j1 c1).
        Assert.Equal([1, 3, 2, 4], ConvolutionRows.ChannelFastest<int>([1, 2, 3, 4], 1, 2, 1, 2));
    }

    private static TheoryData<string, int, int, int> Cross(KernelVariant[] variants)
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var variant in variants)
            foreach (var (m, k, p) in ShapeList) data.Add(variant.ToString(), m, k, p);
        return data;
    }
}
