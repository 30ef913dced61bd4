using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

/// <summary>
/// <see cref="SignPanelGemm"/>: sign bits expanded into a ±1 panel, the float microkernel on it. fma(±1, x, s) rounds
/// s ± x once, so every variant must give exactly the bits of <see cref="SignAccumulateGemm.Reference"/>.
/// </summary>
public class SignPanelGemmTests
{
    // Odd row counts (one row, a tail below 8 and below 16, more than one block), K not a multiple of 8 or 16, odd
    // column counts (a short last block of eight).
    private static readonly (int Rows, int Depth, int Columns)[] ShapeList =
        [(1, 1, 1), (5, 31, 3), (16, 9, 49), (17, 145, 9), (33, 577, 13), (64, 576, 11), (10, 64, 8), (48, 288, 7)];

    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var variant in SignPanelGemm.Variants)
            foreach (var (m, k, p) in ShapeList) data.Add(variant.ToString(), m, k, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseColumnsGiveTheBitsOfTheSignAccumulateReference(string variant, int rows, int depth, int columns)
    {
        var random = new Random(rows * 131 + depth * 7 + columns);
        var weights = SignWeights.FromSigns(GemmCases.RandomFloats(random, rows * depth), rows, depth);
        int stride = depth + 3;
        var values = GemmCases.RandomFloats(random, columns * stride);
        var activations = new FloatColumns(values, columns, stride, depth);
        foreach (var range in Ranges(rows, columns))
            foreach (bool columnMajor in new[] { false, true })
                AssertSameBits(weights, activations, GemmCases.Layout(columnMajor, range), range, Enum.Parse<KernelVariant>(variant));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GatheredColumnsGiveTheBitsOfTheSignAccumulateReference(string variant, int rows, int depth, int columns)
    {
        // Arbitrary gathered offsets: columns overlap and taps jump around, as no dense layout could.
        var random = new Random(rows * 37 + depth);
        var weights = SignWeights.FromSigns(GemmCases.RandomFloats(random, rows * depth), rows, depth);
        var values = GemmCases.RandomFloats(random, 4 * depth + columns * 5 + 1);
        var columnOffsets = Enumerable.Range(0, columns).Select(p => p * 5).ToArray();
        var depthOffsets = Enumerable.Range(0, depth).Select(_ => random.Next(4 * depth)).ToArray();
        var activations = FloatColumns.Gathered(values, columnOffsets, depthOffsets);
        foreach (var range in Ranges(rows, columns))
            AssertSameBits(weights, activations, OutputLayout.ColumnMajor(range.RowCount), range, Enum.Parse<KernelVariant>(variant));
    }

    [Theory]
    [InlineData(16, 28, 28, 16, 3, 1, 1)]
    [InlineData(16, 28, 28, 32, 3, 2, 1)]
    [InlineData(3, 9, 7, 21, 3, 1, 1)]
    [InlineData(24, 5, 5, 40, 1, 1, 0)]
    public void PaddedFloatTapsOfAConvolutionGiveTheBitsOfTheSignAccumulateReference(int inChannels, int height, int width,
        int outChannels, int kernelSize, int stride, int padding)
    {
        var shape = new ConvolutionShape(inChannels, height, width, outChannels, kernelSize, stride, padding);
        var random = new Random(outChannels * 3 + inChannels);
        var weights = SignWeights.FromSigns(GemmCases.RandomFloats(random, outChannels * shape.Depth), outChannels, shape.Depth);
        var taps = new PaddedFloatTaps(shape);
        var image = GemmCases.RandomFloats(random, shape.InputPerImage);
        var activations = taps.Columns(image, new float[taps.PaddedLength]);
        foreach (var variant in SignPanelGemm.Variants)
            foreach (var range in Ranges(outChannels, shape.OutPixels))
                AssertSameBits(weights, activations, OutputLayout.ColumnMajor(range.RowCount), range, variant);
    }

    [Fact]
    public void TheResultDoesNotDependOnThePanelsAlignmentOrOldContents()
    {
        var random = new Random(3);
        const int rows = 40, depth = 75, columns = 19;
        var weights = SignWeights.FromSigns(GemmCases.RandomFloats(random, rows * depth), rows, depth);
        var values = GemmCases.RandomFloats(random, columns * depth);
        var activations = new FloatColumns(values, columns, depth, depth);
        var range = GemmRange.All(rows, columns);
        var layout = OutputLayout.ColumnMajor(rows);
        var expected = new float[rows * columns];
        SignAccumulateGemm.Reference(weights, activations, expected, layout, range);
        var storage = new float[SignPanelGemm.PanelLength(depth) + 16];
        foreach (var variant in SignPanelGemm.Variants)
            for (int start = 0; start < 16; start++)
            {
                Array.Fill(storage, float.NaN);
                var output = Enumerable.Repeat(float.NaN, rows * columns).ToArray();
                SignPanelGemm.Multiply(weights, activations, output, layout, range, storage.AsSpan(start, SignPanelGemm.PanelLength(depth)), variant);
                Assert.Equal(expected, output);
            }
    }

    [Fact]
    public void TheForcedPortablePathRunsTheSignAccumulateReferenceAndGivesTheSameBits()
    {
        var random = new Random(8);
        const int rows = 21, depth = 50, columns = 10;
        var weights = SignWeights.FromSigns(GemmCases.RandomFloats(random, rows * depth), rows, depth);
        var values = GemmCases.RandomFloats(random, columns * depth);
        var range = GemmRange.All(rows, columns);
        var layout = OutputLayout.RowMajor(columns);
        var panel = new float[SignPanelGemm.PanelLength(depth)];
        var vectorised = new float[rows * columns];
        var portable = new float[rows * columns];
        SignPanelGemm.Multiply(weights, new FloatColumns(values, columns, depth, depth), vectorised, layout, range, panel);
        using (KernelSupport.PortableOnly())
        {
            Assert.False(SignPanelGemm.Vectorised);
            Assert.Equal(KernelVariant.Reference, KernelSupport.Resolve(KernelVariant.Auto, "test", SignPanelGemm.Preference));
            SignPanelGemm.Multiply(weights, new FloatColumns(values, columns, depth, depth), portable, layout, range, panel);
        }
        Assert.Equal(vectorised, portable);
        Assert.Equal(SignPanelGemm.Variants.Length > 1, SignPanelGemm.Vectorised);
    }

    [Fact]
    public void AShortPanelIsRejectedWithTheLengthItNeeds()
    {
        var weights = SignWeights.FromSigns(new float[16 * 10], 16, 10);
        var error = Assert.Throws<ArgumentException>(() => SignPanelGemm.Multiply(weights, new FloatColumns(new float[20], 2, 10, 10), new float[32],
            OutputLayout.RowMajor(2), GemmRange.All(16, 2), new float[SignPanelGemm.PanelLength(10) - 1]));
        Assert.Contains($"panel holds {SignPanelGemm.PanelLength(10) - 1} floats; expected at least {SignPanelGemm.PanelLength(10)}", error.Message);
        Assert.Equal(16 * 10 + 16, SignPanelGemm.PanelLength(10));
    }

    [Fact]
    public void MultiplyAllocatesNothingOnTheCallingThread()
    {
        var random = new Random(4);
        var weights = SignWeights.FromSigns(GemmCases.RandomFloats(random, 16 * 64), 16, 64);
        var values = GemmCases.RandomFloats(random, 4 * 64);
        var output = new float[16 * 4];
        var panel = new float[SignPanelGemm.PanelLength(64)];
        void Call() => SignPanelGemm.Multiply(weights, new FloatColumns(values, 4, 64, 64), output, OutputLayout.RowMajor(4), GemmRange.All(16, 4), panel);
        Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Call();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // The whole product, a range inside it, and one starting in the middle of a 16-row block and of a vector of 8.
    private static IEnumerable<GemmRange> Ranges(int rows, int columns)
    {
        yield return GemmRange.All(rows, columns);
        yield return GemmCases.Inner(rows, columns);
        if (rows > 11) yield return new GemmRange(11, rows, columns / 2, columns);
    }

    private static void AssertSameBits(SignWeights weights, FloatColumns activations, OutputLayout layout, GemmRange range, KernelVariant variant)
    {
        var expected = new float[range.RowCount * range.ColumnCount];
        SignAccumulateGemm.Reference(weights, activations, expected, layout, range);
        // A dirty output and a dirty panel: the kernel must overwrite every element and read nothing it did not write.
        var output = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
        var panel = Enumerable.Repeat(float.NaN, SignPanelGemm.PanelLength(weights.Depth)).ToArray();
        SignPanelGemm.Multiply(weights, activations, output, layout, range, panel, variant);
        Assert.Equal(expected, output);
    }
}
