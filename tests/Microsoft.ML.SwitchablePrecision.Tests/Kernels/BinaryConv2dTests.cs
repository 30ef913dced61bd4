using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class BinaryConv2dTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        // bits, batch, in, height, width, out, kernel h, kernel w, stride, padding
        { 1, 1, 16, 8, 8, 16, 3, 3, 1, 1 },
        { 2, 2, 16, 9, 7, 32, 3, 3, 2, 1 },
        { 4, 3, 3, 7, 9, 5, 3, 3, 1, 0 },
        { 8, 2, 5, 6, 5, 7, 3, 3, 2, 2 },
        { 4, 1, 70, 5, 6, 6, 3, 3, 1, 1 },
        { 2, 2, 64, 7, 7, 9, 3, 3, 2, 1 },
        { 1, 2, 7, 6, 8, 3, 2, 3, 1, 1 },
        { 8, 1, 13, 4, 5, 4, 1, 1, 2, 0 },
        { 1, 3, 32, 5, 5, 10, 5, 5, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void IntegerSumsMatchTheReference(int bits, int batch, int inChannels, int height, int width, int outChannels,
        int kernelHeight, int kernelWidth, int stride, int padding)
    {
        var random = new Random(HashCode.Combine(bits, inChannels, height, width, stride, padding));
        var w = KernelReference.RandomWeights(random, outChannels * inChannels * kernelHeight * kernelWidth);
        var levels = KernelReference.RandomLevels(random, batch * inChannels * height * width, bits);
        var conv = new BinaryConv2d(w, outChannels, inChannels, kernelHeight, kernelWidth, stride, padding);
        var output = new int[batch * outChannels * conv.OutputHeight(height) * conv.OutputWidth(width)];
        conv.ForwardIntegers(levels, batch, height, width, bits, output);
        Assert.Equal(KernelReference.Conv(w, levels, batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding), output);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatOutputMatchesTorchConv2dOfTheDoReFaQuantizedTensors(int bits, int batch, int inChannels, int height,
        int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding)
    {
        using var scope = NewDisposeScope();
        var random = new Random(HashCode.Combine(bits, inChannels, height, width, stride, padding) + 1);
        var w = KernelReference.RandomWeights(random, outChannels * inChannels * kernelHeight * kernelWidth);
        var x = new float[batch * inChannels * height * width];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 1.4 - 0.2);

        var levels = new byte[x.Length];
        ActivationLevels.Quantize(x, bits, levels);
        var conv = new BinaryConv2d(w, outChannels, inChannels, kernelHeight, kernelWidth, stride, padding);
        int outputHeight = conv.OutputHeight(height), outputWidth = conv.OutputWidth(width);
        var output = new float[batch * outChannels * outputHeight * outputWidth];
        conv.Forward(levels, batch, height, width, bits, output);

        var weightTensor = tensor(w, [outChannels, inChannels, kernelHeight, kernelWidth]);
        var inputTensor = tensor(x, [batch, inChannels, height, width]);
        var expected = nn.functional.conv2d(DoReFa.QuantizeActivations(inputTensor, bits), DoReFa.QuantizeWeights(weightTensor, 1),
            strides: [stride, stride], padding: [padding, padding]);
        Assert.Equal([batch, outChannels, outputHeight, outputWidth], expected.shape);
        var reference = expected.data<float>().ToArray();
        for (int i = 0; i < output.Length; i++)
            Assert.True(Math.Abs(output[i] - reference[i]) <= 1e-5 + 1e-5 * Math.Abs(reference[i]),
                $"element {i}: packed {output[i]}, torch {reference[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void LevelsDividedByStepsAreExactlyTheDoReFaActivations(int bits)
    {
        using var scope = NewDisposeScope();
        var random = new Random(bits);
        var x = new float[500];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 1.6 - 0.3);
        // Exact midpoints between levels test the round-half-to-even agreement with PyTorch.
        x[0] = 0.5f / UniformLevels.Steps(bits);
        x[1] = 1.5f / UniformLevels.Steps(bits);
        var levels = new byte[x.Length];
        ActivationLevels.Quantize(x, bits, levels);
        var expected = DoReFa.QuantizeActivations(tensor(x), bits).data<float>().ToArray();
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(expected[i], levels[i] / (float)UniformLevels.Steps(bits));
    }

    [Fact]
    public void RepeatedCallsWithChangingBitsAndShapesReuseNoStaleState()
    {
        var random = new Random(11);
        var w = KernelReference.RandomWeights(random, 8 * 6 * 9);
        var conv = new BinaryConv2d(w, 8, 6, 3, 3, 1, 1);
        foreach (var (bits, size) in new[] { (4, 6), (1, 6), (4, 5), (8, 6), (4, 6) })
        {
            var levels = KernelReference.RandomLevels(random, 2 * 6 * size * size, bits);
            var output = new int[2 * 8 * size * size];
            conv.ForwardIntegers(levels, 2, size, size, bits, output);
            Assert.Equal(KernelReference.Conv(w, levels, 2, 6, size, size, 8, 3, 3, 1, 1), output);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void ActivationBitsOutsideOneToEightAreRejected(int bits)
    {
        var conv = new BinaryConv2d(new float[2 * 9], 2, 1, 3, 3, 1, 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => conv.Forward(new byte[16], 1, 4, 4, bits, new float[32]));
        Assert.Equal("activationBits", error.ParamName);
        Assert.Contains("expected 1 to 8", error.Message);
    }

    [Fact]
    public void InputOfTheWrongLengthNamesTheExpectedCount()
    {
        var conv = new BinaryConv2d(new float[2 * 3 * 9], 2, 3, 3, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => conv.Forward(new byte[16], 1, 4, 4, 2, new float[32]));
        Assert.Equal("levels", error.ParamName);
        Assert.Contains("expected batch * inChannels * height * width = 48", error.Message);
    }

    [Fact]
    public void OutputOfTheWrongLengthNamesTheExpectedCount()
    {
        var conv = new BinaryConv2d(new float[2 * 9], 2, 1, 3, 3, 2, 1);
        var error = Assert.Throws<ArgumentException>(() => conv.Forward(new byte[2 * 16], 2, 4, 4, 2, new float[64]));
        Assert.Equal("output", error.ParamName);
        Assert.Contains("expected batch * outChannels * outputHeight * outputWidth = 16", error.Message);
    }

    [Fact]
    public void InputSmallerThanThePaddedKernelIsRejected()
    {
        var conv = new BinaryConv2d(new float[9], 1, 1, 3, 3, 1, 0);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => conv.Forward(new byte[2 * 5], 1, 2, 5, 1, new float[3]));
        Assert.Equal("height", error.ParamName);
        Assert.Contains("expected at least 3", error.Message);
    }

    [Fact]
    public void LevelsAboveTheBitWidthAreRejected()
    {
        var conv = new BinaryConv2d(new float[9], 1, 1, 3, 3, 1, 1);
        var levels = new byte[2 * 16];
        levels[23] = 2; // second image: the index is into the whole batch
        var error = Assert.Throws<ArgumentException>(() => conv.Forward(levels, 2, 4, 4, 1, new float[2 * 16]));
        Assert.Equal("levels", error.ParamName);
        Assert.Contains("levels[23] is 2; expected a 1-bit level in 0..1", error.Message);
    }
}
