using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class PackedStorageTests
{
    [Theory]
    // ResNet-20 binary convolutions: K = 144, 288, 576 -> 3, 5, 9 words per row.
    [InlineData(16, 16, 384 + 4, 9216)]
    [InlineData(32, 32, 1280 + 4, 36864)]
    [InlineData(64, 64, 4608 + 4, 147456)]
    [InlineData(32, 16, 768 + 4, 18432)]
    public void ConvolutionWeightBytesArePaddedSignWordsPlusOneScale(int outChannels, int inChannels, long packed, long floats)
    {
        var weights = PackedBinaryWeights.FromConvolution(new float[outChannels * inChannels * 9], outChannels, inChannels, 3, 3);
        Assert.Equal(packed, weights.PackedByteCount);
        Assert.Equal(floats, weights.FloatByteCount);
    }

    [Fact]
    public void SixtyFourChannelWeightsAreThirtyTwoTimesSmallerApartFromTheScale()
    {
        var weights = PackedBinaryWeights.FromConvolution(new float[64 * 64 * 9], 64, 64, 3, 3);
        Assert.Equal(32 * (weights.PackedByteCount - sizeof(float)), weights.FloatByteCount);
    }

    [Fact]
    public void MatrixSignsAreSetWhereWeightsAreNonNegativeAndScaleIsMeanAbsolute()
    {
        // mean |w| = (0.5 + 0 + 0.25 + 1.25 + 2) / 5 = 0.8 ; sign(0) = +1 (as DoReFa)
        float[] w = [-0.5f, 0f, 0.25f, -1.25f, 2f];
        var packed = PackedBinaryWeights.FromMatrix(w, 1, 5);
        Assert.Equal(0.8f, packed.Scale, 6);
        Assert.Equal([-1, 1, 1, -1, 1], Enumerable.Range(0, 5).Select(k => packed.Sign(0, k)));
        Assert.Equal(0b10110UL, packed.Signs[0]);
    }

    [Fact]
    public void ConvolutionRowsUseKernelRowThenKernelColumnThenChannelOrder()
    {
        var random = new Random(3);
        int outChannels = 3, inChannels = 5, kh = 2, kw = 3;
        var w = KernelReference.RandomWeights(random, outChannels * inChannels * kh * kw);
        var packed = PackedBinaryWeights.FromConvolution(w, outChannels, inChannels, kh, kw);
        Assert.Equal(30, packed.Depth);
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        Assert.Equal(KernelReference.Sign(w[((o * inChannels + c) * kh + i) * kw + j]),
                            packed.Sign(o, (i * kw + j) * inChannels + c));
    }

    [Fact]
    public void PaddingBitsPastTheDepthAreZero()
    {
        var w = Enumerable.Repeat(1f, 2 * 70).ToArray();
        var packed = PackedBinaryWeights.FromMatrix(w, 2, 70);
        Assert.Equal(2, packed.WordsPerRow);
        Assert.Equal([ulong.MaxValue, (1UL << 6) - 1, ulong.MaxValue, (1UL << 6) - 1], packed.Signs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void ActivationPlanesReadBackTheLevelsAndTheirColumnSums(int bits)
    {
        var random = new Random(bits);
        int depth = 77, columns = 5;
        var levels = KernelReference.RandomLevels(random, depth * columns, bits);
        var planes = PackedBitPlanes.FromLevels(levels, depth, columns, bits);
        Assert.Equal((long)columns * bits * 2 * sizeof(ulong), planes.PackedByteCount);
        for (int p = 0; p < columns; p++)
        {
            int sum = 0;
            for (int k = 0; k < depth; k++)
            {
                Assert.Equal(levels[k * columns + p], planes.Level(k, p));
                sum += levels[k * columns + p];
            }
            Assert.Equal(sum, planes.ColumnSums[p]);
        }
    }

    [Fact]
    public void WeightsOfTheWrongLengthNameTheExpectedCount()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedBinaryWeights.FromConvolution(new float[10], 2, 1, 3, 3));
        Assert.Equal("weights", error.ParamName);
        Assert.Contains("expected outChannels * inChannels * kernelHeight * kernelWidth = 18", error.Message);
    }

    [Fact]
    public void LevelsAboveTheBitWidthAreRejectedWithTheirIndex()
    {
        byte[] levels = [0, 1, 3, 2, 4, 0];
        var error = Assert.Throws<ArgumentException>(() => PackedBitPlanes.FromLevels(levels, 3, 2, 2));
        Assert.Equal("levels", error.ParamName);
        Assert.Contains("levels[4] is 4; expected a 2-bit level in 0..3", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void BitWidthsOutsideOneToEightAreRejected(int bits)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PackedBitPlanes.FromLevels(new byte[4], 2, 2, bits));
        Assert.Equal("bits", error.ParamName);
        Assert.Contains("expected 1 to 8", error.Message);
    }
}
