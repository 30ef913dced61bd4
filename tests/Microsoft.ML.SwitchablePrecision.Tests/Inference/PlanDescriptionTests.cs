using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Persistence;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// A plan built from a network's torch-free description, directly and after the description's binary round trip
/// (new level quantizers from their learned values, weights unpacked from bits and levels), computes the network's
/// plan bit for bit.
/// </summary>
public class PlanDescriptionTests
{
    public static TheoryData<string, QuantizerKind> FamiliesAndQuantizers() => PlanAgreementTests.FamiliesAndQuantizers();

    [Theory]
    [MemberData(nameof(FamiliesAndQuantizers))]
    public void EverySwitchOfResNet20GivesTheNetworksPlanLogitsBitForBitFromItsStoredDescription(string family, QuantizerKind quantizer)
    {
        var network = Calibrated(family, quantizer);
        using var scope = NewDisposeScope();
        var images = RealImages(200, 9);
        foreach (var precision in Family(family)) AssertSameLogits(network, precision, images);
    }

    [Theory]
    [InlineData(ArchitectureKind.ResNet18, "binary", QuantizerKind.Pact, 1, 2)]
    [InlineData(ArchitectureKind.MobileNetV2, "uniform", QuantizerKind.DoReFa, 4, 4)]
    [InlineData(ArchitectureKind.MobileNetV2, "uniform", QuantizerKind.Pact, 8, 8)]
    [InlineData(ArchitectureKind.MobileNetV2, "binary", QuantizerKind.DoReFa, 1, 32)]
    public void TheOtherArchitecturesGiveTheNetworksPlanLogitsBitForBitFromTheirStoredDescription(
        ArchitectureKind architecture, string family, QuantizerKind quantizer, int weightBits, int activationBits)
    {
        var network = Calibrated(architecture, family, quantizer);
        using var scope = NewDisposeScope();
        AssertSameLogits(network, new Precision(weightBits, activationBits), RealImages(300, 5));
    }

    [Fact]
    public void TheBinaryFamilysSwitchesStoreEachLayersWeightsOnceAndMultiBitSwitchesStoreTheirOwn()
    {
        var binary = Calibrated("binary", QuantizerKind.DoReFa);
        var binaryPlans = BinaryFamily.Select(p => InferencePlanCompiler.Describe(binary, p)).ToArray();
        int weighted = binaryPlans[0].Layers.Count(l => l.Weights is not null);
        Assert.Equal(weighted, StoredTensorCount(binaryPlans));

        var uniform = Calibrated("uniform", QuantizerKind.DoReFa);
        var uniformPlans = UniformFamily.Select(p => InferencePlanCompiler.Describe(uniform, p)).ToArray();
        // The full-precision layers are shared; every other layer has its own weights at each switch (floats at 32 bits).
        int quantized = uniformPlans[0].Layers.Count(l => l.Weights is { IsFullPrecision: false });
        Assert.Equal(weighted + (UniformFamily.Length - 1) * quantized, StoredTensorCount(uniformPlans));
    }

    [Theory]
    [InlineData("binary", QuantizerKind.DoReFa, 1, 1)]
    [InlineData("uniform", QuantizerKind.Lsq, 2, 2)]
    [InlineData("uniform", QuantizerKind.DoReFa, 4, 4)]
    [InlineData("uniform", QuantizerKind.Pact, 8, 8)]
    public void KBitWeightsAreStoredInKBitsEachWithAtMostOneValuePerLevel(string family, QuantizerKind quantizer, int weightBits, int activationBits)
    {
        var description = InferencePlanCompiler.Describe(Calibrated(family, quantizer), new Precision(weightBits, activationBits));
        foreach (var weights in description.Layers.Select(l => l.Weights).OfType<WeightLevels>().Where(w => w.Bits == weightBits))
        {
            // bits, rows, depth, grid (scale, minimum, maximum, spacing), the k-bit codes, the value flag, and at most a
            // table of one float per level (never a float per weight).
            int count = weights.Rows * weights.Depth, stored = StoredWeights.Encode(weights).Length;
            int packed = 3 * 4 + 4 * 4 + (count * weightBits + 7) / 8 + 1;
            Assert.True(stored == packed || stored == packed + 4 * (1 << weightBits), $"{weights.Rows}x{weights.Depth} at {weightBits} bits: {stored} bytes, expected {packed}");
        }
    }

    [Fact]
    public void ADescriptionWhoseLayerReadsALaterValueFailsNamingTheLayer()
    {
        var description = InferencePlanCompiler.Describe(Calibrated("binary", QuantizerKind.DoReFa), new Precision(1, 2));
        var layers = description.Layers.ToArray();
        layers[1] = layers[1] with { Input = 5 };
        var error = Assert.Throws<InvalidOperationException>(() => PlanAssembler.Build(description with { Layers = layers }));
        Assert.Equal($"Layer {layers[1].Name} (Convolution) expects its input to be the input (0) or an earlier layer (1 to 1); got value 5.", error.Message);
    }

    private static void AssertSameLogits(SwitchableNetwork network, Precision precision, Tensor images)
    {
        var plan = InferencePlanCompiler.Compile(network, precision);
        var expected = PlanLogits(plan, images);
        var stored = RoundTrip([InferencePlanCompiler.Describe(network, precision)]).Single();
        var rebuilt = PlanAssembler.Build(stored);
        Assert.Equal(plan.Describe(), rebuilt.Describe());
        Assert.Equal(expected, PlanLogits(rebuilt, images));
        // Not a constant: the images give different logits.
        int distinct = expected.Distinct().Count();
        Assert.True(distinct > plan.Classes, $"{precision}: only {distinct} distinct logits of {expected.Length}");
    }

    private static IReadOnlyList<PlanDescription> RoundTrip(IReadOnlyList<PlanDescription> plans)
    {
        var bytes = Write(plans);
        return PlanDescriptionFormat.Read(new BoundedReader(bytes, 0, "The test plans"));
    }

    private static byte[] Write(IReadOnlyList<PlanDescription> plans)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer)) PlanDescriptionFormat.Write(writer, plans);
        return buffer.ToArray();
    }

    private static int StoredTensorCount(IReadOnlyList<PlanDescription> plans) => BitConverter.ToInt32(Write(plans), 0);
}
