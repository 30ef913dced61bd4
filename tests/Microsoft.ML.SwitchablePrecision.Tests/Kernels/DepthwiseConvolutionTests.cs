using Microsoft.ML.SwitchablePrecision.Kernels;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class DepthwiseConvolutionTests
{
    // (channels, height, width, kernel, stride, padding): odd channel counts around the 8- and 16-lane vectors,
    // stride 2 on odd and even sizes, padding 0 and 1, a 1x1 image where every tap but the centre is padding.
    private static readonly (int C, int H, int W, int K, int S, int P)[] ShapeList =
        [(1, 5, 5, 3, 1, 1), (7, 6, 5, 3, 2, 1), (17, 7, 7, 3, 1, 1), (33, 8, 9, 3, 2, 1), (48, 4, 4, 3, 1, 0), (24, 1, 1, 3, 1, 1), (9, 9, 8, 5, 2, 2)];

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

    [Fact]
    public void WideningLevelsGivesTheirExactValuesOnBothPaths()
    {
        var levels = Enumerable.Range(0, 16 * 3 + 5).Select(i => (byte)(i * 37 % 256)).ToArray();
        var expected = levels.Select(l => (float)l).ToArray();
        var vectorised = new float[levels.Length];
        DepthwiseConvolution.Widen(levels, vectorised);
        Assert.Equal(expected, vectorised);
        var portable = new float[levels.Length];
        using (KernelSupport.PortableOnly()) DepthwiseConvolution.Widen(levels, portable);
        Assert.Equal(expected, portable);
    }

    [Fact]
    public void AMismatchedBufferIsRejectedWithTheExpectedSizes()
    {
        var shape = new DepthwiseShape(3, 4, 4, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => DepthwiseConvolution.Convolve(shape, new float[48], new float[26], new float[48]));
        Assert.Contains("weights 26 (expected 27)", error.Message, StringComparison.Ordinal);
    }

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
