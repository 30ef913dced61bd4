using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

/// <summary>The channel-mask convolution with 64-bit masks (33-64 input channels), every variant against the plain integer convolution.</summary>
public class ChannelMask64ConvolutionTests
{
    // (channels, height, width, out rows, kernel, stride, padding, bits, grid)
    public static TheoryData<int, int, int, int, int, int, int, int, int> Cases() => new()
    {
        { 64, 7, 7, 64, 3, 1, 1, 1, 0 },   // ResNet-20's 64->64 layers, W1A1 signs
        { 64, 8, 8, 64, 3, 1, 1, 2, 0 },   // W1A2
        { 64, 10, 10, 128, 3, 2, 1, 1, 0 }, // a stride-2 64->128 layer (ResNet-18's second stage)
        { 33, 7, 9, 3, 3, 1, 1, 1, 0 },    // odd channels, 3 rows of a group
        { 47, 6, 5, 17, 3, 2, 1, 2, 0 },   // stride 2, a second group of 1 row
        { 63, 5, 5, 20, 3, 1, 2, 3, 1 },   // padding 2, levels {0, 1} as weights
        { 51, 4, 4, 1, 1, 1, 0, 1, 2 },    // 1x1 kernel, another grid
        { 37, 8, 7, 33, 4, 1, 1, 2, 0 },   // 4x4 kernel
        { 59, 7, 6, 18, 5, 2, 2, 1, 0 },   // 5x5 kernel (25 taps per part, the most the byte counts hold)
        { 64, 6, 6, 16, 5, 1, 2, 8, 0 },   // 5x5 kernel with 8-bit levels (the largest count)
        { 64, 3, 3, 16, 3, 1, 1, 8, 0 },   // 8-bit levels
        { 41, 1, 1, 5, 3, 1, 1, 2, 0 },    // a 1x1 image inside padding
        { 64, 9, 9, 16, 3, 2, 0, 1, 0 },   // no padding, stride 2
        { 45, 5, 6, 29, 3, 1, 1, 2, 0 },   // a second group of 13 rows (past the AVX2 variant's first half of 8)
        { 5, 6, 6, 7, 3, 1, 1, 2, 0 },     // few channels: the 64-bit masks serve them too
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVariantEqualsTheIntegerConvolution(int channels, int height, int width, int rows, int kernel,
        int stride, int padding, int bits, int grid)
    {
        var (multiplier, offset) = ChannelMaskConvolutionTests.Grids[grid];
        var random = new Random(channels * 131 + height * 17 + rows * 7 + kernel + stride * 3 + bits);
        int depth = kernel * kernel * channels;
        var integers = Enumerable.Range(0, rows * depth).Select(_ => multiplier * random.Next(2) - offset).ToArray();
        var image = GemmCases.RandomLevels(random, height * width * channels, bits);
        var expected = ChannelMaskConvolutionTests.IntegerConvolution(integers, image, channels, height, width, rows, kernel, stride, padding);

        var weights = ChannelMaskWeights<ulong>.FromIntegers(integers, rows, channels, kernel, multiplier, offset);
        var layout = new ChannelMaskLayout<ulong>(channels, height, width, padding, bits);
        // Dirty scratch: the packer must write the border and the slack, not assume them.
        var masks = Enumerable.Repeat(0xA5C3F00D5A3C0FF0UL, layout.Length + 3).ToArray();
        ChannelMasks.Pack(layout, image, masks);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            ChannelMaskConvolution.Multiply(weights, layout, masks, stride, output, variant);
            Assert.Equal(expected, output);
        }
    }

    [Theory]
    [InlineData(64, 5, 7, 1, 3)]  // one pixel per 512-bit load
    [InlineData(64, 3, 3, 0, 8)]
    [InlineData(48, 5, 7, 1, 2)]  // fewer channels: 64-byte loads masked, the last pixels bit by bit
    [InlineData(33, 4, 3, 2, 1)]
    [InlineData(63, 3, 17, 1, 4)]
    [InlineData(3, 2, 5, 1, 1)]
    public void TheVectorPackingEqualsTheBitByBitDefinition(int channels, int height, int width, int padding, int bits)
    {
        var layout = new ChannelMaskLayout<ulong>(channels, height, width, padding, bits);
        var image = GemmCases.RandomLevels(new Random(channels + width), layout.LevelCount, bits);
        var expected = new ulong[layout.Length];
        ChannelMasks.Reference(layout, image, expected);
        var actual = Enumerable.Repeat(ulong.MaxValue, layout.Length).ToArray();
        ChannelMasks.Pack(layout, image, actual);
        Assert.Equal(expected, actual);
        if (padding > 0) Assert.Equal(0UL, actual[layout.Index(bits - 1, 0, 1)]);
        // Plane b at image pixel (1, 2): bit c is bit b of channel c's level.
        int b = bits - 1;
        ulong mask = 0;
        for (int c = 0; c < channels; c++) mask |= (ulong)((image[(1 * width + 2) * channels + c] >> b) & 1) << c;
        Assert.Equal(mask, actual[layout.Index(b, 1 + padding, 2 + padding)]);
    }

    [Fact]
    public void ThePortablePathRunsTheScalarVariantWithTheSameValues()
    {
        var random = new Random(9);
        var integers = Enumerable.Range(0, 20 * 9 * 60).Select(_ => 2 * random.Next(2) - 1).ToArray();
        var weights = ChannelMaskWeights<ulong>.FromIntegers(integers, 20, 60, 3, 2, 1);
        var layout = new ChannelMaskLayout<ulong>(60, 7, 7, 1, 2);
        var image = GemmCases.RandomLevels(random, layout.LevelCount, 2);
        var masks = new ulong[layout.Length];
        ChannelMasks.Pack(layout, image, masks);
        var expected = new float[49 * 20];
        ChannelMaskConvolution.Multiply(weights, layout, masks, 1, expected, KernelVariant.Reference);
        var portable = new float[expected.Length];
        using (KernelSupport.PortableOnly())
        {
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", ChannelMaskConvolution.Preference));
            var scalarMasks = new ulong[layout.Length];
            ChannelMasks.Pack(layout, image, scalarMasks);
            Assert.Equal(masks, scalarMasks);
            ChannelMaskConvolution.Multiply(weights, layout, scalarMasks, 1, portable);
        }
        Assert.Equal(expected, portable);
    }

    [Fact]
    public void AllOnesGiveTheFullCountAndZerosGiveZeroAtEveryVariant()
    {
        // 64 channels of level 3 under every tap of the centre pixel, all weights +1: 9 x 64 x 3 = 1728.
        var ones = ChannelMaskWeights<ulong>.FromIntegers(Enumerable.Repeat(1, 9 * 64).ToArray(), 1, 64, 3, 2, 1);
        var layout = new ChannelMaskLayout<ulong>(64, 3, 3, 1, 2);
        var full = new ulong[layout.Length];
        ChannelMasks.Pack(layout, Enumerable.Repeat((byte)3, layout.LevelCount).ToArray(), full);
        var minusOnes = ChannelMaskWeights<ulong>.FromIntegers(Enumerable.Repeat(-1, 2 * 9 * 64).ToArray(), 2, 64, 3, 2, 1);
        var zero = new ulong[layout.Length];
        ChannelMasks.Pack(layout, new byte[layout.LevelCount], zero);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = new float[9];
            ChannelMaskConvolution.Multiply(ones, layout, full, 1, output, variant);
            Assert.Equal(1728f, output[4]);
            Assert.Equal(4 * 64 * 3f, output[0]);
            var zeros = Enumerable.Repeat(1f, 18).ToArray();
            ChannelMaskConvolution.Multiply(minusOnes, layout, zero, 1, zeros, variant);
            Assert.All(zeros, value => Assert.Equal(0f, value));
        }
    }

    [Fact]
    public void WeightsReadBackAndBadArgumentsAreRefusedNamingThem()
    {
        var random = new Random(3);
        var integers = Enumerable.Range(0, 2 * 9 * 50).Select(_ => 2 * random.Next(2) - 1).ToArray();
        var weights = ChannelMaskWeights<ulong>.FromIntegers(integers, 2, 50, 3, 2, 1);
        Assert.Equal(integers.Select(w => (w + 1) / 2).ToArray(), Enumerable.Range(0, 2 * 450).Select(i => weights.Level(i / 450, i % 450)).ToArray());
        var channels = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMaskWeights<ulong>.FromIntegers(new int[65], 1, 65, 1, 1, 0));
        Assert.Contains("channels is 65; expected 1 to 64", channels.Message, StringComparison.Ordinal);
        var kernel = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMaskWeights<ulong>.FromIntegers(new int[36], 1, 1, 6, 1, 0));
        Assert.Contains("kernelSize is 6; expected 1 to 5", kernel.Message, StringComparison.Ordinal);
        var layout = Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelMaskLayout<ulong>(70, 4, 4, 1, 1));
        Assert.Contains("channels is 70; expected 1 to 64 (one 64-bit mask per pixel)", layout.Message, StringComparison.Ordinal);
        var good = new ChannelMaskLayout<ulong>(50, 5, 5, 1, 1);
        var mismatch = Assert.Throws<ArgumentException>(() =>
            ChannelMaskConvolution.Multiply(weights, new ChannelMaskLayout<ulong>(49, 5, 5, 1, 1), new ulong[good.Length], 1, new float[50]));
        Assert.Contains("the layout has 49 channels; the weights expect 50", mismatch.Message, StringComparison.Ordinal);
        var shortMasks = Assert.Throws<ArgumentException>(() => ChannelMaskConvolution.Multiply(weights, good, new ulong[10], 1, new float[50]));
        Assert.Contains($"masks has 10 elements; the layout needs {good.Length}", shortMasks.Message, StringComparison.Ordinal);
    }
}
