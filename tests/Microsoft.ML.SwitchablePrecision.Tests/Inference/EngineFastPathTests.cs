using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>The engine's fast paths against the plain loops they replace.</summary>
public class EngineFastPathTests
{
    [Theory]
    [InlineData(16, 28, 28, 3, 1, 1)]
    [InlineData(16, 28, 28, 3, 2, 1)]
    [InlineData(32, 14, 14, 3, 1, 1)]
    [InlineData(64, 7, 7, 3, 1, 1)]
    [InlineData(5, 9, 7, 3, 1, 1)] // run of 15 bytes: the reference path
    [InlineData(6, 9, 7, 3, 1, 2)] // run of 18 bytes: one move plus an overlapping one; padding 2
    [InlineData(17, 8, 11, 3, 2, 0)]
    [InlineData(33, 6, 5, 5, 1, 2)]
    [InlineData(70, 5, 6, 1, 1, 0)]
    [InlineData(9, 10, 10, 2, 2, 1)]
    public void LevelIm2ColWritesTheReferenceColumns(int channels, int height, int width, int kernel, int stride, int padding)
    {
        var shape = new ConvolutionShape(channels, height, width, 4, kernel, stride, padding);
        var random = new Random(channels * 7 + kernel);
        var image = new byte[shape.InputPerImage];
        random.NextBytes(image);
        int columnStride = (shape.Depth + 3) / 4 * 4 + 4; // padded past the quad, as a column with spare bytes
        var expected = new byte[shape.OutPixels * columnStride];
        var actual = new byte[expected.Length];
        shape.Im2Col<byte>(image, 0, shape.OutPixels, expected, columnStride, 0);
        LevelIm2Col.Columns(shape, image, actual, columnStride);
        for (int p = 0; p < shape.OutPixels; p++)
            Assert.Equal(expected.AsSpan(p * columnStride, shape.Depth).ToArray(), actual.AsSpan(p * columnStride, shape.Depth).ToArray());
    }

    [Fact]
    public void LevelIm2ColRejectsTooSmallBuffersNamingThem()
    {
        var shape = new ConvolutionShape(16, 4, 4, 4, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => LevelIm2Col.Columns(shape, new byte[shape.InputPerImage], new byte[10], shape.Depth));
        Assert.Equal("columns", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => LevelIm2Col.Columns(shape, new byte[3], new byte[shape.OutPixels * shape.Depth], shape.Depth));
        Assert.Equal("image", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(12545)]
    public void ConvertingIntegerAccumulatorsInPlaceEqualsTheScalarCast(int length)
    {
        var random = new Random(length);
        var values = new int[length];
        for (int i = 0; i < length; i++)
            values[i] = (i % 5) switch { 0 => int.MaxValue - i, 1 => int.MinValue + i, 2 => (1 << 24) + 1 + i, _ => random.Next(-100000, 100000) };
        var expected = new float[length];
        IntegerAccumulators.Reference(values, expected);
        foreach (var variant in new[] { KernelVariant.Auto, KernelVariant.Reference })
        {
            var accumulators = new float[length];
            values.AsSpan().CopyTo(IntegerAccumulators.AsIntegers(accumulators));
            IntegerAccumulators.ConvertInPlace(accumulators, variant);
            Assert.Equal(expected, accumulators);
        }
    }

    [Fact]
    public void TheDefaultPolicyRunsBitSerialOnlyWhereItMeasuredFaster()
    {
        var network = Calibrated("binary", QuantizerKind.DoReFa);
        static void Uses(IReadOnlyList<string> plan, string layer, string kernel) =>
            Assert.Contains(plan, s => s.StartsWith(layer, StringComparison.Ordinal) && s.Contains(kernel, StringComparison.Ordinal));
        var w1a1 = InferencePlanCompiler.Compile(network, new Precision(1, 1)).Describe();
        // K = 144 (16 input channels): channel-mask bit operations with AVX-512 or AVX2 (ChannelMaskPlanTests), int8
        // without; K = 288 (32 input channels, also the stride-2 32->64 layer): 32-bit channel masks with AVX-512 or AVX2
        // (ChannelMask32PlanTests), int8 without; K = 576: 64-bit channel masks with AVX-512 or AVX2
        // (ChannelMask64PlanTests), bit-serial without.
        bool vectors = KernelSupport.Fastest(ChannelMaskConvolution.Preference) is KernelVariant.Avx512 or KernelVariant.Avx2;
        foreach (var layer in new[] { "block0.conv1:", "block3.conv1:" })
            Uses(w1a1, layer, vectors ? "channel-mask bit convolution" : "int8 GEMM");
        foreach (var layer in new[] { "block3.conv2:", "block5.conv2:", "block6.conv1:" })
            Uses(w1a1, layer, vectors ? "32-bit channel-mask bit convolution" : "int8 GEMM");
        foreach (var layer in new[] { "block6.conv2:", "block7.conv1:", "block8.conv2:" })
            Uses(w1a1, layer, vectors ? "64-bit channel-mask bit convolution (1-bit weights x 1 planes)" : "bit-serial GEMM (1-bit weights x 1 planes)");
        // Two plane pairs need K >= 1152, deeper than any ResNet-20 layer; four never pay.
        var uniform = Calibrated("uniform", QuantizerKind.DoReFa);
        foreach (var (source, precision) in new[] { (network, new Precision(1, 2)), (network, new Precision(1, 4)), (uniform, new Precision(2, 2)) })
        {
            var plan = InferencePlanCompiler.Compile(source, precision).Describe();
            Uses(plan, "block7.conv1:", vectors && precision == new Precision(1, 2) ? "64-bit channel-mask bit convolution" : "int8 GEMM");
            Assert.DoesNotContain(plan, s => s.Contains("bit-serial", StringComparison.Ordinal));
        }
    }

    [Theory]
    // 3x3 layers of ResNet-18 (3x32x32) and 1x1 projections of MobileNetV2, as measured in docs/kernels.md.
    [InlineData(64, 32, 64, 3, 1, 1, true)]
    [InlineData(64, 32, 128, 3, 2, 1, true)]
    [InlineData(64, 32, 128, 3, 2, 2, false)]
    [InlineData(128, 16, 256, 3, 2, 2, true)]
    [InlineData(64, 32, 64, 3, 1, 2, false)]
    [InlineData(128, 16, 128, 3, 1, 2, true)]
    [InlineData(512, 4, 512, 3, 1, 4, false)]
    [InlineData(32, 14, 32, 3, 1, 1, false)]
    [InlineData(960, 2, 320, 1, 1, 1, true)]
    [InlineData(960, 2, 160, 1, 1, 1, false)]
    [InlineData(960, 2, 96, 1, 1, 1, false)]
    [InlineData(960, 2, 320, 1, 1, 2, false)]
    [InlineData(576, 4, 160, 1, 1, 1, false)]
    public void TheBitSerialKernelServesTheShapesItWonOn(int inChannels, int size, int outChannels, int kernel, int stride, int planes, bool faster)
    {
        var shape = new ConvolutionShape(inChannels, size, size, outChannels, kernel, stride, kernel / 2);
        Assert.Equal(faster, BitSerialArithmetic.MeasuredFasterThanInt8(shape, planes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(144)]
    [InlineData(577)]
    [InlineData(70000)]
    public void LevelSumsEqualThePlainLoop(int length)
    {
        var levels = new byte[length];
        new Random(length).NextBytes(levels);
        if (length > 0) levels[^1] = 255;
        Assert.Equal(LevelSums.Reference(levels), LevelSums.Sum(levels));
        Assert.Equal(LevelSums.Reference(levels), LevelSums.Sum(levels, KernelVariant.Reference));
        if (length > 3) Assert.Equal(LevelSums.Reference(levels.AsSpan(1, length - 3)), LevelSums.Sum(levels.AsSpan(1, length - 3)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(19)]
    [InlineData(64)]
    public void DoubleAndAddCorrectsEveryValue(int length)
    {
        var random = new Random(length);
        var values = Enumerable.Range(0, length).Select(_ => random.Next(-1 << 20, 1 << 20)).ToArray();
        var expected = values.Select(v => 2 * v + 1234).ToArray();
        LevelSums.DoubleAndAdd(values, 1234);
        Assert.Equal(expected, values);
    }
}
