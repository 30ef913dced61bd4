using Microsoft.ML.SwitchablePrecision.Kernels;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class DepthwiseConvolutionTests
{
    // (channels, height, width, kernel, stride, padding): odd channel counts around the 8- and 16-lane vectors
    // (the register-blocked 3x3 interior takes 16, then 8, then the per-pixel loop the rest), stride 2 on odd and even
    // sizes, padding 0 and 1, a 1x1 image where every tap but the centre is padding, a 2-wide image with no interior
    // column, a 5x5 kernel (per pixel only), and MobileNetV2-like 96 and 144 channels at stride 1 and 2.
    private static readonly (int C, int H, int W, int K, int S, int P)[] ShapeList =
        [(1, 5, 5, 3, 1, 1), (7, 6, 5, 3, 2, 1), (17, 7, 7, 3, 1, 1), (33, 8, 9, 3, 2, 1), (48, 4, 4, 3, 1, 0), (24, 1, 1, 3, 1, 1), (9, 9, 8, 5, 2, 2),
         (25, 2, 2, 3, 1, 1), (40, 6, 7, 3, 2, 0), (96, 8, 8, 3, 1, 1), (144, 8, 8, 3, 2, 1)];

    public static TheoryData<string, int> VariantsAndShapes()
    {
        var data = new TheoryData<string, int>();
        foreach (var variant in DepthwiseConvolution.Variants)
            for (int s = 0; s < ShapeList.Length; s++) data.Add(variant.ToString(), s);
        return data;
    }

    [Theory]
    [MemberData(nameof(VariantsAndShapes))]
    public void EveryVariantGivesTheReferenceBits(string variant, int shapeIndex)
    {
        var (shape, image, weights) = Case(shapeIndex, integers: false);
        var expected = new float[shape.OutputPerImage];
        DepthwiseConvolution.Reference(shape, image, weights, expected);
        var actual = Enumerable.Repeat(float.NaN, shape.OutputPerImage).ToArray(); // every output must be written
        DepthwiseConvolution.Convolve(shape, image, weights, actual, Enum.Parse<KernelVariant>(variant));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(VariantsAndShapes))]
    public void IntegerLevelsAreSummedExactly(string variant, int shapeIndex)
    {
        var (shape, image, weights) = Case(shapeIndex, integers: true);
        var actual = new float[shape.OutputPerImage];
        DepthwiseConvolution.Convolve(shape, image, weights, actual, Enum.Parse<KernelVariant>(variant));
        var exact = Naive(shape, image, weights);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(exact[i], (double)actual[i]);
    }

    [Fact]
    public void TheReferenceIsTorchSharpsGroupedConvolution()
    {
        for (int s = 0; s < ShapeList.Length; s++)
        {
            var (shape, image, weights) = Case(s, integers: false);
            var expected = new float[shape.OutputPerImage];
            DepthwiseConvolution.Reference(shape, image, weights, expected);
            using var scope = NewDisposeScope();
            var nchw = tensor(image, [1, shape.Height, shape.Width, shape.Channels]).permute(0, 3, 1, 2);
            // [taps, channels] -> [channels, 1, k, k]
            var filters = tensor(weights, [shape.KernelSize, shape.KernelSize, shape.Channels]).permute(2, 0, 1).unsqueeze(1).contiguous();
            var torchOutput = nn.functional.conv2d(nchw, filters, null, [shape.Stride, shape.Stride], [shape.Padding, shape.Padding], groups: shape.Channels);
            var nhwc = torchOutput.permute(0, 2, 3, 1).contiguous().data<float>().ToArray();
            Assert.Equal(nhwc.Length, expected.Length);
            for (int i = 0; i < nhwc.Length; i++) Assert.True(Math.Abs(nhwc[i] - expected[i]) <= 1e-5f, $"shape {shape} output {i}: {expected[i]} against {nhwc[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(VariantsAndShapes))]
    public void LevelsReadAsBytesGiveTheBitsOfTheirFloatValues(string variant, int shapeIndex)
    {
        var (shape, image, weights) = Case(shapeIndex, integers: true);
        var levels = image.Select(v => (byte)v).ToArray();
        var expected = new float[shape.OutputPerImage];
        DepthwiseConvolution.Reference(shape, image, weights, expected);
        var fromFloats = new float[shape.OutputPerImage];
        DepthwiseConvolution.Reference(shape, levels, weights, fromFloats);
        Assert.Equal(expected, fromFloats);
        var actual = Enumerable.Repeat(float.NaN, shape.OutputPerImage).ToArray();
        DepthwiseConvolution.Convolve(shape, levels, weights, actual, Enum.Parse<KernelVariant>(variant));
        Assert.Equal(expected, actual);
        var exact = Naive(shape, image, weights);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(exact[i], (double)actual[i]);
    }

    [Theory]
    [MemberData(nameof(VariantsAndShapes))]
    public void ARangeOfRowsIsThoseRowsOfTheWholeOutput(string variant, int shapeIndex)
    {
        var (shape, image, weights) = Case(shapeIndex, integers: false);
        var levels = Case(shapeIndex, integers: true).Image.Select(v => (byte)v).ToArray();
        var whole = new float[shape.OutputPerImage];
        var wholeLevels = new float[shape.OutputPerImage];
        DepthwiseConvolution.Reference(shape, image, weights, whole);
        DepthwiseConvolution.Reference(shape, levels, weights, wholeLevels);
        var kernel = Enum.Parse<KernelVariant>(variant);
        int band = Math.Max(1, shape.OutHeight / 2);
        for (int first = 0; first < shape.OutHeight; first += band)
        {
            int rows = Math.Min(band, shape.OutHeight - first), length = rows * shape.OutputPerRow;
            var part = Enumerable.Repeat(float.NaN, length).ToArray();
            DepthwiseConvolution.ConvolveRows(shape, image, weights, first, rows, part, kernel);
            Assert.Equal(whole.AsSpan(first * shape.OutputPerRow, length).ToArray(), part);
            DepthwiseConvolution.ConvolveRows(shape, levels, weights, first, rows, part, kernel);
            Assert.Equal(wholeLevels.AsSpan(first * shape.OutputPerRow, length).ToArray(), part);
        }
    }

    [Fact]
    public void TheVectorVariantsGiveThePortableBitsOnAMobileNetV2Layer()
    {
        // 32x32 with 96 channels (block1.depthwise), stride 1 and 2: every variant, bit for bit, on floats and levels.
        foreach (int stride in new[] { 1, 2 })
        {
            var shape = new DepthwiseShape(96, 32, 32, 3, stride, 1);
            var random = new Random(stride);
            var image = Enumerable.Range(0, shape.InputPerImage).Select(_ => (float)(random.NextDouble() * 6 - 1)).ToArray();
            var levels = Enumerable.Range(0, shape.InputPerImage).Select(_ => (byte)random.Next(256)).ToArray();
            var weights = Enumerable.Range(0, 9 * 96).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var expected = new float[shape.OutputPerImage];
            var expectedLevels = new float[shape.OutputPerImage];
            DepthwiseConvolution.Convolve(shape, image, weights, expected, KernelVariant.Scalar);
            DepthwiseConvolution.Convolve(shape, levels, weights, expectedLevels, KernelVariant.Scalar);
            foreach (var variant in DepthwiseConvolution.Variants)
            {
                var actual = new float[shape.OutputPerImage];
                DepthwiseConvolution.Convolve(shape, image, weights, actual, variant);
                Assert.Equal(Bits(expected), Bits(actual));
                DepthwiseConvolution.Convolve(shape, levels, weights, actual, variant);
                Assert.Equal(Bits(expectedLevels), Bits(actual));
            }
        }
    }

    [Fact]
    public void AMismatchedBufferIsRejectedWithTheExpectedSizes()
    {
        var shape = new DepthwiseShape(3, 4, 4, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => DepthwiseConvolution.Convolve(shape, new float[48], new float[26], new float[48]));
        Assert.Contains("weights 26 (expected 27)", error.Message, StringComparison.Ordinal);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static (DepthwiseShape Shape, float[] Image, float[] Weights) Case(int index, bool integers)
    {
        var (c, h, w, k, s, p) = ShapeList[index];
        var shape = new DepthwiseShape(c, h, w, k, s, p);
        var random = new Random(index * 13 + (integers ? 1 : 0));
        var image = new float[shape.InputPerImage];
        var weights = new float[k * k * c];
        for (int i = 0; i < image.Length; i++) image[i] = integers ? random.Next(256) : (float)(random.NextDouble() * 6 - 1);
        for (int i = 0; i < weights.Length; i++) weights[i] = integers ? random.Next(-255, 256) : (float)(random.NextDouble() * 2 - 1);
        return (shape, image, weights);
    }

    private static double[] Naive(DepthwiseShape shape, float[] image, float[] weights)
    {
        var output = new double[shape.OutputPerImage];
        for (int oh = 0; oh < shape.OutHeight; oh++)
            for (int ow = 0; ow < shape.OutWidth; ow++)
                for (int c = 0; c < shape.Channels; c++)
                    for (int i = 0; i < shape.KernelSize; i++)
                        for (int j = 0; j < shape.KernelSize; j++)
                        {
                            int ih = oh * shape.Stride - shape.Padding + i, iw = ow * shape.Stride - shape.Padding + j;
                            if (ih < 0 || ih >= shape.Height || iw < 0 || iw >= shape.Width) continue;
                            output[(oh * shape.OutWidth + ow) * shape.Channels + c] +=
                                (double)weights[(i * shape.KernelSize + j) * shape.Channels + c] * image[(ih * shape.Width + iw) * shape.Channels + c];
                        }
        return output;
    }
}
