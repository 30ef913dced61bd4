using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class ChannelMaskConvolutionTests
{
    // The integer grid of the weights: multiplier x level (0 or 1) - offset.
    internal static readonly (int Multiplier, int Offset)[] Grids = [(2, 1), (1, 0), (3, 5)];

    // (channels, height, width, out rows, kernel, stride, padding, bits, grid)
    public static TheoryData<int, int, int, int, int, int, int, int, int> Cases() => new()
    {
        { 16, 28, 28, 16, 3, 1, 1, 1, 0 }, // ResNet-20's 16->16 layer, W1A1 signs
        { 16, 28, 28, 32, 3, 2, 1, 2, 0 }, // its stride-2 16->32 layer, W1A2
        { 5, 7, 9, 3, 3, 1, 1, 1, 0 },     // odd channels, 63 output pixels (the last one alone), 3 rows of a group
        { 13, 6, 5, 17, 3, 2, 1, 2, 0 },   // stride 2, a second group of 1 row
        { 16, 5, 5, 20, 3, 1, 2, 3, 1 },   // padding 2, levels {0, 1} as weights
        { 1, 4, 4, 1, 1, 1, 0, 1, 2 },     // 1x1 kernel, one channel, another grid
        { 9, 8, 7, 33, 4, 1, 1, 2, 0 },    // 4x4 kernel (16 taps, the most one word holds)
        { 16, 3, 3, 16, 3, 1, 1, 8, 0 },   // 8-bit levels (the 16-bit counts' limit)
        { 7, 1, 1, 5, 3, 1, 1, 2, 0 },     // a 1x1 image inside padding
        { 16, 9, 9, 16, 3, 2, 0, 1, 0 },   // no padding, stride 2
        { 11, 5, 6, 29, 3, 1, 1, 2, 0 },   // a second group of 13 rows (past the AVX2 variant's first half of 8)
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVariantEqualsTheIntegerConvolution(int channels, int height, int width, int rows, int kernel,
        int stride, int padding, int bits, int grid)
    {
        var (multiplier, offset) = Grids[grid];
        var random = new Random(channels * 131 + height * 17 + rows * 7 + kernel + stride * 3 + bits);
        int depth = kernel * kernel * channels;
        var integers = Enumerable.Range(0, rows * depth).Select(_ => multiplier * random.Next(2) - offset).ToArray();
        var image = GemmCases.RandomLevels(random, height * width * channels, bits);
        var expected = IntegerConvolution(integers, image, channels, height, width, rows, kernel, stride, padding);

        var weights = ChannelMaskWeights<ushort>.FromIntegers(integers, rows, channels, kernel, multiplier, offset);
        var layout = new ChannelMaskLayout<ushort>(channels, height, width, padding, bits);
        // Dirty scratch: the packer must write the border and the slack, not assume them.
        var masks = Enumerable.Repeat((ushort)0xA5C3, layout.Length + 3).ToArray();
        ChannelMasks.Pack(layout, image, masks);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            ChannelMaskConvolution.Multiply(weights, layout, masks, stride, output, variant);
            Assert.Equal(expected, output);
        }
    }

    [Theory]
    [InlineData(16, 5, 6, 1, 3)]  // four pixels per 512-bit load, then two alone
    [InlineData(16, 3, 3, 0, 8)]
    [InlineData(8, 5, 7, 1, 2)]   // fewer channels: 16-byte loads masked, the last pixel bit by bit
    [InlineData(5, 4, 3, 2, 1)]
    [InlineData(1, 3, 17, 1, 4)]
    public void TheVectorPackingEqualsTheBitByBitDefinition(int channels, int height, int width, int padding, int bits)
    {
        var layout = new ChannelMaskLayout<ushort>(channels, height, width, padding, bits);
        var image = GemmCases.RandomLevels(new Random(channels + width), layout.LevelCount, bits);
        var expected = new ushort[layout.Length];
        ChannelMasks.Reference(layout, image, expected);
        var actual = Enumerable.Repeat(ushort.MaxValue, layout.Length).ToArray();
        ChannelMasks.Pack(layout, image, actual);
        Assert.Equal(expected, actual);
        if (padding > 0) Assert.Equal(0, actual[layout.Index(bits - 1, 0, 1)]);
        // Plane b at image pixel (1, 2): bit c is bit b of channel c's level.
        int b = bits - 1, mask = 0;
        for (int c = 0; c < channels; c++) mask |= ((image[(1 * width + 2) * channels + c] >> b) & 1) << c;
        Assert.Equal(mask, actual[layout.Index(b, 1 + padding, 2 + padding)]);
    }

    [Fact]
    public void ThePortablePathRunsTheScalarVariantWithTheSameValues()
    {
        var random = new Random(9);
        var integers = Enumerable.Range(0, 16 * 144).Select(_ => 2 * random.Next(2) - 1).ToArray();
        var weights = ChannelMaskWeights<ushort>.FromIntegers(integers, 16, 16, 3, 2, 1);
        var layout = new ChannelMaskLayout<ushort>(16, 7, 7, 1, 2);
        var image = GemmCases.RandomLevels(random, layout.LevelCount, 2);
        var masks = new ushort[layout.Length];
        ChannelMasks.Pack(layout, image, masks);
        var expected = new float[49 * 16];
        ChannelMaskConvolution.Multiply(weights, layout, masks, 1, expected, KernelVariant.Reference);
        var portable = new float[expected.Length];
        using (KernelSupport.PortableOnly())
        {
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", ChannelMaskConvolution.Preference));
            var scalarMasks = new ushort[layout.Length];
            ChannelMasks.Pack(layout, image, scalarMasks);
            Assert.Equal(masks, scalarMasks);
            ChannelMaskConvolution.Multiply(weights, layout, scalarMasks, 1, portable);
        }
        Assert.Equal(expected, portable);
    }

    [Fact]
    public void TheVariantsUnderTestIncludeAvx2WhereTheCpuHasIt()
    {
        Assert.Equal(KernelSupport.IsSupported(KernelVariant.Avx2), ChannelMaskConvolution.Variants.Contains(KernelVariant.Avx2));
        Assert.Equal(KernelSupport.IsSupported(KernelVariant.Avx512), ChannelMaskConvolution.Variants.Contains(KernelVariant.Avx512));
    }

    [Fact]
    public void ZeroActivationsGiveZeroNotTheXnorCount()
    {
        var weights = ChannelMaskWeights<ushort>.FromIntegers(Enumerable.Repeat(-1, 2 * 9 * 16).ToArray(), 2, 16, 3, 2, 1);
        var layout = new ChannelMaskLayout<ushort>(16, 4, 4, 1, 1);
        var masks = new ushort[layout.Length];
        ChannelMasks.Pack(layout, new byte[layout.LevelCount], masks);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = Enumerable.Repeat(1f, 16 * 2).ToArray();
            ChannelMaskConvolution.Multiply(weights, layout, masks, 1, output, variant);
            Assert.All(output, value => Assert.Equal(0f, value));
        }
    }

    [Fact]
    public void WeightsReadBackAndBadWeightsAreRefusedNamingTheValue()
    {
        int[] integers = [1, -1, -1, 1, 1, -1, 1, 1, -1];
        var weights = ChannelMaskWeights<ushort>.FromIntegers(integers, 1, 1, 3, 2, 1);
        Assert.Equal(integers.Select(w => (w + 1) / 2).ToArray(), Enumerable.Range(0, 9).Select(k => weights.Level(0, k)).ToArray());
        var error = Assert.Throws<ArgumentException>(() => ChannelMaskWeights<ushort>.FromIntegers([1, 3], 1, 2, 1, 2, 1));
        Assert.Contains("weight [0, 1] is 3; expected -1 or 1", error.Message, StringComparison.Ordinal);
        var channels = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMaskWeights<ushort>.FromIntegers(new int[17], 1, 17, 1, 1, 0));
        Assert.Contains("channels is 17; expected 1 to 16", channels.Message, StringComparison.Ordinal);
        var kernel = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMaskWeights<ushort>.FromIntegers(new int[25], 1, 1, 5, 1, 0));
        Assert.Contains("kernelSize is 5; expected 1 to 4", kernel.Message, StringComparison.Ordinal);
        var layout = Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelMaskLayout<ushort>(20, 4, 4, 1, 1));
        Assert.Contains("channels is 20; expected 1 to 16", layout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedArgumentsAreRefusedNamingThem()
    {
        var weights = ChannelMaskWeights<ushort>.FromIntegers(Enumerable.Repeat(1, 9 * 4).ToArray(), 1, 4, 3, 2, 1);
        var layout = new ChannelMaskLayout<ushort>(4, 5, 5, 1, 1);
        var masks = new ushort[layout.Length];
        var channels = Assert.Throws<ArgumentException>(() =>
            ChannelMaskConvolution.Multiply(weights, new ChannelMaskLayout<ushort>(3, 5, 5, 1, 1), masks, 1, new float[25]));
        Assert.Contains("the layout has 3 channels; the weights expect 4", channels.Message, StringComparison.Ordinal);
        var output = Assert.Throws<ArgumentException>(() => ChannelMaskConvolution.Multiply(weights, layout, masks, 1, new float[24]));
        Assert.Equal("output", output.ParamName);
        var shortMasks = Assert.Throws<ArgumentException>(() => ChannelMaskConvolution.Multiply(weights, layout, new ushort[10], 1, new float[25]));
        Assert.Contains($"masks has 10 elements; the layout needs {layout.Length}", shortMasks.Message, StringComparison.Ordinal);
        var image = Assert.Throws<ArgumentException>(() => ChannelMasks.Pack(layout, new byte[99], masks));
        Assert.Equal("image", image.ParamName);
    }

    // out[p, m] = sum over taps inside the image and channels of w[m, k] * level, NHWC input, long arithmetic (shared with ChannelMask64ConvolutionTests).
    internal static float[] IntegerConvolution(int[] weights, byte[] image, int channels, int height, int width, int rows, int kernel,
        int stride, int padding)
    {
        int outHeight = (height + 2 * padding - kernel) / stride + 1, outWidth = (width + 2 * padding - kernel) / stride + 1;
        int depth = kernel * kernel * channels;
        var output = new float[outHeight * outWidth * rows];
        for (int oy = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++)
                for (int m = 0; m < rows; m++)
                {
                    long sum = 0;
                    for (int i = 0; i < kernel; i++)
                        for (int j = 0; j < kernel; j++)
                        {
                            int y = oy * stride - padding + i, x = ox * stride - padding + j;
                            if ((uint)y >= (uint)height || (uint)x >= (uint)width) continue;
                            for (int c = 0; c < channels; c++)
                                sum += (long)weights[m * depth + (i * kernel + j) * channels + c] * image[(y * width + x) * channels + c];
                        }
                    output[(oy * outWidth + ox) * rows + m] = sum;
                }
        return output;
    }
}
