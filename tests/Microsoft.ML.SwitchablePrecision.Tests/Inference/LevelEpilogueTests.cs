using System.Runtime.Intrinsics.X86;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class LevelEpilogueTests
{
    // DoReFa, PACT (alpha 1.5: step alpha / n) and LSQ (step 0.25) at a bit width.
    private static LevelQuantizer Quantizer(int family, int bits) => family switch
    {
        0 => DoReFaFamily.Levels(bits),
        1 => PactFamily.Create(bits, 1.5f),
        _ => LsqFamily.Create(bits, 0.25f),
    };

    // Epilogue outputs on or next to a rounding tie or a clip of one of the three rules (halves, quarters, eighths, 1, 1.5, 6).
    private static readonly float[] Edges = [0.5f, 0.25f, 0.125f, 0.375f, 0.75f, 1f, 1.5f, 1.25f, 6f, 6.5f, -0.5f, 0f, 0.625f, 0.875f, 2.5f, 64.125f];

    public static TheoryData<int, int, int, int, bool, bool, float> Cases()
    {
        var data = new TheoryData<int, int, int, int, bool, bool, float>();
        foreach (int family in new[] { 0, 1, 2 })
            for (int bits = 1; bits <= 8; bits++)
            {
                data.Add(family, bits, 16, 37, true, true, float.PositiveInfinity);
                data.Add(family, bits, 32, 9, false, true, 6f);        // ReLU6
                data.Add(family, bits, 64, 3, true, false, float.PositiveInfinity); // no rectifier: negative values clip to level 0
                data.Add(family, bits, 16, 300, false, true, 6f);      // several blocks of 128 pixels, the last one partial
                data.Add(family, bits, 144, 20, true, true, 6f);       // MobileNetV2's 144 channels: blocks of 14 pixels
                data.Add(family, bits, 24, 90, true, true, 6f);        // MobileNetV2's 24: 256-bit only, blocks of 85 pixels
                data.Add(family, bits, 8, 5, false, true, float.PositiveInfinity); // one 256-bit vector per pixel
                data.Add(family, bits, 40, 7, true, false, float.PositiveInfinity);
                data.Add(family, bits, 12, 6, true, true, 6f);         // not a multiple of 8: the two passes only
            }
        return data;
    }

    // Every fused variant this CPU runs for the channel count, the plain scalar reference first.
    private static KernelVariant[] FusedVariants(int channels)
    {
        var variants = new List<KernelVariant> { KernelVariant.Reference };
        if (Avx2.IsSupported && channels % 8 == 0) variants.Add(KernelVariant.Avx2);
        if (Avx512F.IsSupported && channels % 16 == 0) variants.Add(KernelVariant.Avx512);
        if (LevelEpilogue.Serves(channels)) variants.Add(KernelVariant.Auto);
        return [.. variants];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheFusedPassGivesTheTwoPassLevels(int family, int bits, int channels, int pixels, bool withResidual, bool rectify, float ceiling)
    {
        var quantizer = Quantizer(family, bits);
        var random = new Random(family * 97 + bits * 13 + channels);
        float[] Values(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var x = Values(pixels * channels, 40f);
        var residual = withResidual ? Values(pixels * channels, 1f) : [];
        var multiplier = Values(channels, 0.05f);
        var bias = Values(channels, 1f);
        // The first four channels pass exact edge values through: multiplier 1, bias 0, residual 0.
        for (int c = 0; c < 4; c++) (multiplier[c], bias[c]) = (1f, 0f);
        for (int p = 0; p < pixels; p++)
            for (int c = 0; c < 4; c++)
            {
                x[p * channels + c] = Edges[(p * 4 + c) % Edges.Length];
                if (withResidual) residual[p * channels + c] = 0f;
            }
        var y = new float[x.Length];
        ChannelEpilogue.Reference(x, residual, y, pixels, multiplier, bias, rectify, ceiling);
        var expected = y.Select(quantizer.Level).ToArray();
        // The edges are really there: a tie rounds to even (LSQ 0.125 / 0.25 = 0.5 -> 0, 0.375 / 0.25 = 1.5 -> 2).
        if (family == 2 && bits >= 2) Assert.Equal([0, 2], new[] { quantizer.Level(0.125f), quantizer.Level(0.375f) }.Select(b => (int)b));

        var twoPass = new byte[x.Length];
        var vectorY = new float[x.Length];
        ChannelEpilogue.Apply(x, residual, vectorY, pixels, multiplier, bias, rectify, ceiling);
        quantizer.Levels(vectorY, twoPass);
        Assert.Equal(expected, twoPass);
        var portable = new byte[x.Length];
        using (KernelSupport.PortableOnly())
        {
            Assert.False(LevelEpilogue.Serves(channels));
            ChannelEpilogue.Apply(x, residual, vectorY, pixels, multiplier, bias, rectify, ceiling);
            quantizer.Levels(vectorY, portable);
        }
        Assert.Equal(expected, portable);
        foreach (var variant in FusedVariants(channels))
        {
            var fused = Enumerable.Repeat((byte)0xEE, x.Length + 5).ToArray();
            quantizer.EpilogueLevels(x, residual, fused, pixels, multiplier, bias, rectify, ceiling, variant);
            Assert.True(expected.AsSpan().SequenceEqual(fused.AsSpan(0, x.Length)), $"{variant} differs from the two-pass levels");
            Assert.All(fused[x.Length..], b => Assert.Equal(0xEE, b));
        }
    }

    [Theory]
    [InlineData(0, 1, true)]
    [InlineData(1, 2, true)]
    [InlineData(2, 2, true)]
    [InlineData(0, 8, false)]
    [InlineData(1, 8, false)]
    [InlineData(2, 3, false)]
    public void NaNSignedZeroAndInfinitiesGiveTheTwoPassLevels(int family, int bits, bool rectify)
    {
        var quantizer = Quantizer(family, bits);
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -float.Epsilon, float.Epsilon, float.MaxValue];
        const int channels = 16, pixels = 3;
        var x = Enumerable.Range(0, channels * pixels).Select(i => specials[i % specials.Length]).ToArray();
        var multiplier = Enumerable.Repeat(1f, channels).ToArray();
        var bias = new float[channels];
        foreach (float ceiling in new[] { 6f, float.PositiveInfinity })
        {
            var y = new float[x.Length];
            ChannelEpilogue.Reference(x, [], y, pixels, multiplier, bias, rectify, ceiling);
            var expected = y.Select(quantizer.Level).ToArray();
            foreach (var variant in FusedVariants(channels))
            {
                var fused = new byte[x.Length];
                quantizer.EpilogueLevels(x, [], fused, pixels, multiplier, bias, rectify, ceiling, variant);
                Assert.True(expected.AsSpan().SequenceEqual(fused), $"{variant} differs from the two-pass levels (ceiling {ceiling})");
            }
        }
    }

    [Fact]
    public void WithoutAvx512TheFusedPassIsTheAvx2One()
    {
        Assert.Equal(Avx2.IsSupported || Avx512F.IsSupported, LevelEpilogue.Serves(16));
        if (!Avx512F.IsSupported && Avx2.IsSupported)
        {
            Assert.Equal(KernelVariant.Avx2, LevelEpilogue.VariantFor(144));
            Assert.Equal(KernelVariant.Avx2, LevelEpilogue.VariantFor(24));
        }
        Assert.Equal(KernelVariant.Reference, LevelEpilogue.VariantFor(12));
    }

    [Theory]
    [InlineData(0, 1, 7)]
    [InlineData(1, 2, 16)]
    [InlineData(2, 4, 45)]   // two 512-bit vectors, then 256-bit, then one by one
    [InlineData(0, 8, 100)]
    public void TheLevelWriteOfAnyLengthEqualsTheElementRule(int family, int bits, int length)
    {
        var quantizer = Quantizer(family, bits);
        var random = new Random(length);
        var values = Enumerable.Range(0, length).Select(i => i % 3 == 0 ? Edges[i % Edges.Length] : (float)(random.NextDouble() * 3 - 1)).ToArray();
        var expected = values.Select(quantizer.Level).ToArray();
        var actual = new byte[length];
        quantizer.Levels(values, actual);
        Assert.Equal(expected, actual);
        var portable = new byte[length];
        using (KernelSupport.PortableOnly()) quantizer.Levels(values, portable);
        Assert.Equal(expected, portable);
    }

    [Fact]
    public void ItRefusesWhatItCannotRunNamingTheCounts()
    {
        var quantizer = Quantizer(0, 1);
        if (LevelEpilogue.Serves(16))
        {
            var error = Assert.Throws<ArgumentException>(() =>
                quantizer.EpilogueLevels(new float[30], default, new byte[32], 2, new float[16], new float[16], true, 6f));
            Assert.Contains("2 pixels of 16 channels need 32 values; x has 30, levels 32, residual 0", error.Message, StringComparison.Ordinal);
        }
        Assert.False(LevelEpilogue.Serves(12));
        var channels = Assert.Throws<InvalidOperationException>(() =>
            quantizer.EpilogueLevels(new float[12], default, new byte[12], 1, new float[12], new float[12], true, 6f));
        Assert.Contains("a multiple of 8 (Auto requested); the layer has 12", channels.Message, StringComparison.Ordinal);
        var forced = Assert.Throws<InvalidOperationException>(() =>
            quantizer.EpilogueLevels(new float[24], default, new byte[24], 1, new float[24], new float[24], true, 6f, KernelVariant.Avx512));
        Assert.Contains("(Avx512 requested); the layer has 24", forced.Message, StringComparison.Ordinal);
        using (KernelSupport.PortableOnly()) Assert.False(LevelEpilogue.Serves(16));
    }
}
