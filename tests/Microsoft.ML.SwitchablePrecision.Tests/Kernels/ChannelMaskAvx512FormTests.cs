using System.Numerics;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

// Both AVX-512 forms of the channel-mask convolution, forced, against the integer convolution on the shapes of the
// 16-, 32- and 64-bit kernel tests (the default selection runs only the form Avx512FormFor picks).
public class ChannelMaskAvx512FormTests
{
    [Theory]
    [MemberData(nameof(ChannelMaskConvolutionTests.Cases), MemberType = typeof(ChannelMaskConvolutionTests))]
    public void Both16BitFormsEqualTheIntegerConvolution(int channels, int height, int width, int rows, int kernel, int stride, int padding, int bits, int grid) =>
        EveryFormEqualsTheIntegerConvolution<ushort>(channels, height, width, rows, kernel, stride, padding, bits, grid);

    [Theory]
    [MemberData(nameof(ChannelMask32ConvolutionTests.Cases), MemberType = typeof(ChannelMask32ConvolutionTests))]
    public void Both32BitFormsEqualTheIntegerConvolution(int channels, int height, int width, int rows, int kernel, int stride, int padding, int bits, int grid) =>
        EveryFormEqualsTheIntegerConvolution<uint>(channels, height, width, rows, kernel, stride, padding, bits, grid);

    [Theory]
    [MemberData(nameof(ChannelMask64ConvolutionTests.Cases), MemberType = typeof(ChannelMask64ConvolutionTests))]
    public void Both64BitFormsEqualTheIntegerConvolution(int channels, int height, int width, int rows, int kernel, int stride, int padding, int bits, int grid) =>
        EveryFormEqualsTheIntegerConvolution<ulong>(channels, height, width, rows, kernel, stride, padding, bits, grid);

    [Fact]
    public void TheCarrySaveFormServes3x3KernelsOnOneOrTwoPlanes()
    {
        Assert.Equal(ChannelMaskAvx512Form.CarrySave, ChannelMaskConvolution.Avx512FormFor<ushort>(3, 2));
        Assert.Equal(ChannelMaskAvx512Form.CarrySave, ChannelMaskConvolution.Avx512FormFor<uint>(3, 2));
        Assert.Equal(ChannelMaskAvx512Form.CarrySave, ChannelMaskConvolution.Avx512FormFor<ulong>(3, 2));
        Assert.Equal(ChannelMaskAvx512Form.CarrySave, ChannelMaskConvolution.Avx512FormFor<ushort>(3, 1));
        Assert.Equal(ChannelMaskAvx512Form.CarrySave, ChannelMaskConvolution.Avx512FormFor<ulong>(3, 1));
        Assert.Equal(ChannelMaskAvx512Form.NibbleLookup, ChannelMaskConvolution.Avx512FormFor<ushort>(3, 3));
        Assert.Equal(ChannelMaskAvx512Form.NibbleLookup, ChannelMaskConvolution.Avx512FormFor<ulong>(3, 4));
        Assert.Equal(ChannelMaskAvx512Form.NibbleLookup, ChannelMaskConvolution.Avx512FormFor<uint>(4, 2));
        Assert.Equal(ChannelMaskAvx512Form.NibbleLookup, ChannelMaskConvolution.Avx512FormFor<ulong>(5, 1));
    }

    [Fact]
    public void EveryCarryOfTheCarrySaveFormIsCounted()
    {
        if (!KernelSupport.IsSupported(KernelVariant.Avx512)) return;
        // Two planes: 16 channels of level 3 under every tap of the centre pixel and all weights +1: 9 x 16 x 3 = 432, and per byte
        // 8 x 9 + 2 x 8 x 9 = 216, so every full adder of the tree carries.
        var weights = ChannelMaskWeights<ushort>.FromIntegers(Enumerable.Repeat(1, 9 * 16).ToArray(), 1, 16, 3, 2, 1);
        var layout = new ChannelMaskLayout<ushort>(16, 3, 3, 1, 2);
        var masks = new ushort[layout.Length];
        ChannelMasks.Pack(layout, Enumerable.Repeat((byte)3, layout.LevelCount).ToArray(), masks);
        var output = new float[9];
        ChannelMaskConvolution.MultiplyAvx512(weights, layout, masks, 1, output, ChannelMaskAvx512Form.CarrySave);
        Assert.Equal(432f, output[4]);
        Assert.Equal(4 * 16 * 3f, output[0]);

        // One plane of all ones: 9 x 16 = 144 at the centre, 72 per byte, up to the eights of the one-plane tree.
        var signs = new ChannelMaskLayout<ushort>(16, 3, 3, 1, 1);
        var signMasks = new ushort[signs.Length];
        ChannelMasks.Pack(signs, Enumerable.Repeat((byte)1, signs.LevelCount).ToArray(), signMasks);
        ChannelMaskConvolution.MultiplyAvx512(weights, signs, signMasks, 1, output, ChannelMaskAvx512Form.CarrySave);
        Assert.Equal(144f, output[4]);
        Assert.Equal(4 * 16f, output[0]);
    }

    [Fact]
    public void EveryCarryOfTheTwoPartCarrySaveFormIsCounted()
    {
        if (!KernelSupport.IsSupported(KernelVariant.Avx512)) return;
        // 64-bit masks of all ones under all-ones weights: per plane and byte 9 taps x 2 parts x 8 bits = 144, every
        // adder of the tree carrying up to the sixteens; the centre pixel of one plane is 9 x 64 = 576.
        var weights = ChannelMaskWeights<ulong>.FromIntegers(Enumerable.Repeat(1, 9 * 64).ToArray(), 1, 64, 3, 2, 1);
        var signs = new ChannelMaskLayout<ulong>(64, 3, 3, 1, 1);
        var signMasks = new ulong[signs.Length];
        ChannelMasks.Pack(signs, Enumerable.Repeat((byte)1, signs.LevelCount).ToArray(), signMasks);
        var output = new float[9];
        ChannelMaskConvolution.MultiplyAvx512(weights, signs, signMasks, 1, output, ChannelMaskAvx512Form.CarrySave);
        Assert.Equal(576f, output[4]);
        Assert.Equal(4 * 64f, output[0]);

        // Two planes of level 3: 576 x 3 = 1728, each plane folded on its own (both in one byte would reach 432).
        var layout = new ChannelMaskLayout<ulong>(64, 3, 3, 1, 2);
        var masks = new ulong[layout.Length];
        ChannelMasks.Pack(layout, Enumerable.Repeat((byte)3, layout.LevelCount).ToArray(), masks);
        ChannelMaskConvolution.MultiplyAvx512(weights, layout, masks, 1, output, ChannelMaskAvx512Form.CarrySave);
        Assert.Equal(1728f, output[4]);
        Assert.Equal(4 * 64 * 3f, output[0]);
    }

    private static void EveryFormEqualsTheIntegerConvolution<TMask>(int channels, int height, int width, int rows, int kernel, int stride,
        int padding, int bits, int grid)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        if (!KernelSupport.IsSupported(KernelVariant.Avx512)) return;
        var (multiplier, offset) = ChannelMaskConvolutionTests.Grids[grid];
        var random = new Random(channels * 37 + width * 11 + rows + bits);
        var integers = Enumerable.Range(0, rows * kernel * kernel * channels).Select(_ => multiplier * random.Next(2) - offset).ToArray();
        var image = GemmCases.RandomLevels(random, height * width * channels, bits);
        var expected = ChannelMaskConvolutionTests.IntegerConvolution(integers, image, channels, height, width, rows, kernel, stride, padding);
        var weights = ChannelMaskWeights<TMask>.FromIntegers(integers, rows, channels, kernel, multiplier, offset);
        var layout = new ChannelMaskLayout<TMask>(channels, height, width, padding, bits);
        var masks = Enumerable.Repeat(TMask.AllBitsSet, layout.Length + 3).ToArray();
        ChannelMasks.Pack(layout, image, masks);
        foreach (var form in Enum.GetValues<ChannelMaskAvx512Form>())
        {
            var output = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            if (form == ChannelMaskAvx512Form.CarrySave && ChannelMaskConvolution.Avx512FormFor<TMask>(kernel, bits) != form)
            {
                var error = Assert.Throws<ArgumentException>(() => ChannelMaskConvolution.MultiplyAvx512(weights, layout, masks, stride, output, form));
                Assert.StartsWith("the carry-save form serves 3x3 kernels on 1 or 2 planes", error.Message);
                continue;
            }
            ChannelMaskConvolution.MultiplyAvx512(weights, layout, masks, stride, output, form);
            Assert.Equal(expected, output);
        }
    }
}
