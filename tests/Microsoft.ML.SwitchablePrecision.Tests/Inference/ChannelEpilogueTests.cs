using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class ChannelEpilogueTests
{
    [Theory]
    [InlineData(16, 128, true, true, float.PositiveInfinity)]   // one 512-bit vector per pixel
    [InlineData(32, 7, false, true, float.PositiveInfinity)]
    [InlineData(24, 5, true, true, 6f)]                          // 256-bit vectors, ReLU6
    [InlineData(8, 9, true, false, float.PositiveInfinity)]
    [InlineData(10, 3, true, true, float.PositiveInfinity)]     // per pixel: one vector and a remainder
    [InlineData(5, 11, false, false, float.PositiveInfinity)]
    [InlineData(64, 1, true, true, 6f)]
    public void EveryPathGivesTheReferenceBits(int channels, int pixels, bool withResidual, bool rectify, float ceiling)
    {
        var random = new Random(channels * 31 + pixels);
        float[] Values(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var x = Values(pixels * channels, 300f);
        var residual = withResidual ? Values(pixels * channels, 4f) : [];
        var multiplier = Values(channels, 0.05f);
        var bias = Values(channels, 3f);
        var expected = new float[x.Length];
        ChannelEpilogue.Reference(x, residual, expected, pixels, multiplier, bias, rectify, ceiling);
        var actual = Enumerable.Repeat(float.NaN, x.Length + 3).ToArray();
        ChannelEpilogue.Apply(x, residual, actual, pixels, multiplier, bias, rectify, ceiling);
        Assert.Equal(expected, actual[..x.Length]);
        Assert.All(actual[x.Length..], v => Assert.True(float.IsNaN(v)));
        var portable = new float[x.Length];
        using (KernelSupport.PortableOnly()) ChannelEpilogue.Apply(x, residual, portable, pixels, multiplier, bias, rectify, ceiling);
        Assert.Equal(expected, portable);
        if (rectify) Assert.All(expected, v => Assert.InRange(v, 0f, ceiling));
    }

    [Fact]
    public void TooFewValuesAreRefusedNamingTheCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => ChannelEpilogue.Apply(new float[30], default, new float[32], 2, new float[16], new float[16], true, 6f));
        Assert.Contains("2 pixels of 16 channels need 32 values; x has 30, y 32, residual 0", error.Message, StringComparison.Ordinal);
    }
}
