using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class PaddedFloatTapsTests
{
    // (in channels, height, width, out channels, kernel, stride, padding)
    public static TheoryData<int, int, int, int, int, int, int> Shapes() => new()
    {
        { 1, 28, 28, 16, 3, 1, 1 },  // ResNet-20's stem
        { 16, 28, 28, 16, 3, 1, 1 },
        { 16, 28, 28, 32, 1, 2, 0 }, // a 1x1 stride-2 shortcut, read in place
        { 3, 9, 7, 17, 3, 2, 1 },
        { 5, 6, 5, 9, 5, 1, 2 },
        { 7, 1, 1, 10, 3, 1, 1 },    // a 1x1 image inside padding
        { 64, 7, 7, 64, 3, 1, 1 },
        { 2, 5, 5, 3, 3, 2, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GatheredTapsGiveTheBitsOfCopiedColumnsOnEveryFloatKernel(int inChannels, int height, int width, int outChannels,
        int kernel, int stride, int padding)
    {
        var shape = new ConvolutionShape(inChannels, height, width, outChannels, kernel, stride, padding);
        var random = new Random(inChannels * 7919 + height * 31 + kernel * 7 + stride + padding * 3);
        var weights = Enumerable.Range(0, outChannels * shape.Depth).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var image = Enumerable.Range(0, shape.InputPerImage).Select(_ => (float)(random.NextDouble() * 4 - 1)).ToArray();
        var copied = new float[shape.OutPixels * shape.Depth];
        shape.Im2Col<float>(image, 0, shape.OutPixels, copied, shape.Depth, 0f);
        var dense = new FloatColumns(copied, shape.OutPixels, shape.Depth, shape.Depth);
        var taps = new PaddedFloatTaps(shape);
        // The scratch starts dirty: the border must be zeroed by the copy, not assumed.
        var scratch = Enumerable.Repeat(float.NaN, taps.PaddedLength).ToArray();
        var gathered = taps.Columns(image, scratch);
        var layout = OutputLayout.ColumnMajor(outChannels);
        var range = GemmRange.All(outChannels, shape.OutPixels);

        var floatWeights = FloatGemmWeights.FromMatrix(weights, outChannels, shape.Depth);
        var expected = new float[outChannels * shape.OutPixels];
        FloatGemm.Reference(floatWeights, dense, expected, layout, range);
        foreach (var variant in FloatGemm.Variants)
        {
            var output = new float[expected.Length];
            FloatGemm.Multiply(floatWeights, gathered, output, layout, range, variant);
            Assert.Equal(expected, output);
        }

        var signs = SignWeights.FromSigns(weights, outChannels, shape.Depth);
        SignAccumulateGemm.Reference(signs, dense, expected, layout, range);
        foreach (var variant in SignAccumulateGemm.Variants)
        {
            var output = new float[expected.Length];
            SignAccumulateGemm.Multiply(signs, gathered, output, layout, range, variant);
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void GatheredColumnsThatReadPastTheValuesAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => FloatColumns.Gathered(new float[16], [0, 8], [0, 8]));
        Assert.Contains("read values 0 to 16; values hold 16", error.Message, StringComparison.Ordinal);
        var image = Assert.Throws<ArgumentException>(() => new PaddedFloatTaps(new ConvolutionShape(2, 3, 3, 1, 3, 1, 1)).Columns(new float[17], new float[50]));
        Assert.Contains("image holds 17 values; expected 18", image.Message, StringComparison.Ordinal);
    }
}
