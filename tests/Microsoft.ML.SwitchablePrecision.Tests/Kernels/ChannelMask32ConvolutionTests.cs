using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class ChannelMask32ConvolutionTests
{
    // The integer grid of the weights: multiplier x level (0 or 1) - offset.
    // (channels, height, width, out rows, kernel, stride, padding, bits, grid)
    public static TheoryData<int, int, int, int, int, int, int, int, int> Cases() => new()
    {
        { 32, 14, 14, 32, 3, 1, 1, 1, 0 }, // ResNet-20's 32->32 layer, W1A1 signs
        { 32, 14, 14, 64, 3, 2, 1, 2, 0 }, // its stride-2 32->64 layer, W1A2
        { 17, 7, 9, 3, 3, 1, 1, 1, 0 },    // odd channels, 3 rows of a group
        { 31, 6, 5, 17, 3, 2, 1, 2, 0 },   // stride 2, a second group of 1 row
        { 23, 5, 5, 20, 3, 1, 2, 3, 1 },   // padding 2, levels {0, 1} as weights
        { 29, 4, 4, 1, 1, 1, 0, 1, 2 },    // 1x1 kernel, another grid
        { 19, 8, 7, 33, 4, 1, 1, 2, 0 },   // 4x4 kernel
        { 25, 7, 6, 18, 5, 2, 2, 1, 0 },   // 5x5 kernel (25 taps, the most the byte counts hold)
        { 32, 3, 3, 16, 3, 1, 1, 8, 0 },   // 8-bit levels
        { 27, 1, 1, 5, 3, 1, 1, 2, 0 },    // a 1x1 image inside padding
        { 32, 9, 9, 16, 3, 2, 0, 1, 0 },   // no padding, stride 2
        { 21, 5, 6, 29, 3, 1, 1, 2, 0 },   // a second group of 13 rows (past the AVX2 variant's first half of 8)
        { 5, 6, 6, 7, 3, 1, 1, 2, 0 },     // few channels: the wide masks serve them too
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
        var expected = IntegerConvolution(integers, image, channels, height, width, rows, kernel, stride, padding);

        var weights = ChannelMaskWeights<uint>.FromIntegers(integers, rows, channels, kernel, multiplier, offset);
        var layout = new ChannelMaskLayout<uint>(channels, height, width, padding, bits);
        // Dirty scratch: the packer must write the border and the slack, not assume them.
        var masks = Enumerable.Repeat(0xA5C3F00Du, layout.Length + 3).ToArray();
        ChannelMasks.Pack(layout, image, masks);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            ChannelMaskConvolution.Multiply(weights, layout, masks, stride, output, variant);
            Assert.Equal(expected, output);
        }
    }

    [Theory]
    [InlineData(32, 5, 7, 1, 3)]  // two pixels per 512-bit load, then one alone
    [InlineData(32, 3, 3, 0, 8)]
    [InlineData(24, 5, 7, 1, 2)]  // fewer channels: 32-byte loads masked, the last pixels bit by bit
    [InlineData(17, 4, 3, 2, 1)]
    [InlineData(31, 3, 17, 1, 4)]
    [InlineData(3, 2, 5, 1, 1)]
    public void TheVectorPackingEqualsTheBitByBitDefinition(int channels, int height, int width, int padding, int bits)
    {
        var layout = new ChannelMaskLayout<uint>(channels, height, width, padding, bits);
        var image = GemmCases.RandomLevels(new Random(channels + width), layout.LevelCount, bits);
        var expected = new uint[layout.Length];
        ChannelMasks.Reference(layout, image, expected);
        var actual = Enumerable.Repeat(uint.MaxValue, layout.Length).ToArray();
        ChannelMasks.Pack(layout, image, actual);
        Assert.Equal(expected, actual);
        if (padding > 0) Assert.Equal(0u, actual[layout.Index(bits - 1, 0, 1)]);
        // Plane b at image pixel (1, 2): bit c is bit b of channel c's level.
        int b = bits - 1;
        uint mask = 0;
        for (int c = 0; c < channels; c++) mask |= (uint)((image[(1 * width + 2) * channels + c] >> b) & 1) << c;
        Assert.Equal(mask, actual[layout.Index(b, 1 + padding, 2 + padding)]);
    }

    [Fact]
    public void ThePortablePathRunsTheScalarVariantWithTheSameValues()
    {
        var random = new Random(9);
        var integers = Enumerable.Range(0, 20 * 9 * 30).Select(_ => 2 * random.Next(2) - 1).ToArray();
        var weights = ChannelMaskWeights<uint>.FromIntegers(integers, 20, 30, 3, 2, 1);
        var layout = new ChannelMaskLayout<uint>(30, 7, 7, 1, 2);
        var image = GemmCases.RandomLevels(random, layout.LevelCount, 2);
        var masks = new uint[layout.Length];
        ChannelMasks.Pack(layout, image, masks);
        var expected = new float[49 * 20];
        ChannelMaskConvolution.Multiply(weights, layout, masks, 1, expected, KernelVariant.Reference);
        var portable = new float[expected.Length];
        using (KernelSupport.PortableOnly())
        {
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", ChannelMaskConvolution.Preference));
            var scalarMasks = new uint[layout.Length];
            ChannelMasks.Pack(layout, image, scalarMasks);
            Assert.Equal(masks, scalarMasks);
            ChannelMaskConvolution.Multiply(weights, layout, scalarMasks, 1, portable);
        }
        Assert.Equal(expected, portable);
    }

    [Fact]
    public void ZeroActivationsGiveZeroNotTheXnorCount()
    {
        var weights = ChannelMaskWeights<uint>.FromIntegers(Enumerable.Repeat(-1, 2 * 9 * 32).ToArray(), 2, 32, 3, 2, 1);
        var layout = new ChannelMaskLayout<uint>(32, 4, 4, 1, 1);
        var masks = new uint[layout.Length];
        ChannelMasks.Pack(layout, new byte[layout.LevelCount], masks);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = Enumerable.Repeat(1f, 16 * 2).ToArray();
            ChannelMaskConvolution.Multiply(weights, layout, masks, 1, output, variant);
            Assert.All(output, value => Assert.Equal(0f, value));
        }
    }

    [Fact]
    public void AllOnesGiveTheFullCountAtEveryVariant()
    {
        // 32 channels of level 3 under every tap of the centre pixel, all weights +1: 9 x 32 x 3 = 864.
        var weights = ChannelMaskWeights<uint>.FromIntegers(Enumerable.Repeat(1, 9 * 32).ToArray(), 1, 32, 3, 2, 1);
        var layout = new ChannelMaskLayout<uint>(32, 3, 3, 1, 2);
        var masks = new uint[layout.Length];
        ChannelMasks.Pack(layout, Enumerable.Repeat((byte)3, layout.LevelCount).ToArray(), masks);
        foreach (var variant in ChannelMaskConvolution.Variants)
        {
            var output = new float[9];
            ChannelMaskConvolution.Multiply(weights, layout, masks, 1, output, variant);
            Assert.Equal(864f, output[4]);
            Assert.Equal(4 * 32 * 3f, output[0]);
        }
    }

    [Fact]
    public void WeightsReadBackAndBadWeightsAreRefusedNamingTheValue()
    {
        int[] integers = [1, -1, -1, 1, 1, -1, 1, 1, -1];
        var weights = ChannelMaskWeights<uint>.FromIntegers(integers, 1, 1, 3, 2, 1);
        Assert.Equal(integers.Select(w => (w + 1) / 2).ToArray(), Enumerable.Range(0, 9).Select(k => weights.Level(0, k)).ToArray());
        var error = Assert.Throws<ArgumentException>(() => ChannelMaskWeights<uint>.FromIntegers([1, 3], 1, 2, 1, 2, 1));
        Assert.Contains("weight [0, 1] is 3; expected -1 or 1", error.Message, StringComparison.Ordinal);
        var channels = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMaskWeights<uint>.FromIntegers(new int[33], 1, 33, 1, 1, 0));
        Assert.Contains("channels is 33; expected 1 to 32", channels.Message, StringComparison.Ordinal);
        var kernel = Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMaskWeights<uint>.FromIntegers(new int[36], 1, 1, 6, 1, 0));
        Assert.Contains("kernelSize is 6; expected 1 to 5", kernel.Message, StringComparison.Ordinal);
        var layout = Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelMaskLayout<uint>(40, 4, 4, 1, 1));
        Assert.Contains("channels is 40; expected 1 to 32", layout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedArgumentsAreRefusedNamingThem()
    {
        var weights = ChannelMaskWeights<uint>.FromIntegers(Enumerable.Repeat(1, 9 * 20).ToArray(), 1, 20, 3, 2, 1);
        var layout = new ChannelMaskLayout<uint>(20, 5, 5, 1, 1);
        var masks = new uint[layout.Length];
        var channels = Assert.Throws<ArgumentException>(() =>
            ChannelMaskConvolution.Multiply(weights, new ChannelMaskLayout<uint>(21, 5, 5, 1, 1), masks, 1, new float[25]));
        Assert.Contains("the layout has 21 channels; the weights expect 20", channels.Message, StringComparison.Ordinal);
        var output = Assert.Throws<ArgumentException>(() => ChannelMaskConvolution.Multiply(weights, layout, masks, 1, new float[24]));
        Assert.Equal("output", output.ParamName);
        var shortMasks = Assert.Throws<ArgumentException>(() => ChannelMaskConvolution.Multiply(weights, layout, new uint[10], 1, new float[25]));
        Assert.Contains($"masks has 10 elements; the layout needs {layout.Length}", shortMasks.Message, StringComparison.Ordinal);
        var image = Assert.Throws<ArgumentException>(() => ChannelMasks.Pack(layout, new byte[99], masks));
        Assert.Equal("image", image.ParamName);
    }

    // out[p, m] = sum over taps inside the image and channels of w[m, k] * level, NHWC input, long arithmetic.
    private static float[] IntegerConvolution(int[] weights, byte[] image, int channels, int height, int width, int rows, int kernel,
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
