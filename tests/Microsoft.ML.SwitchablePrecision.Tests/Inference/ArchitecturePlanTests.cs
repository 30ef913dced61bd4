using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>ResNet-18 and MobileNetV2 (small width multipliers) through their plans against their TorchSharp forward.</summary>
public class ArchitecturePlanTests(ITestOutputHelper output)
{
    // Logits within this fraction of the largest logit, as for ResNet-20 (PlanAgreementTests).
    private const double Tolerance = 1e-4;

    public static TheoryData<ArchitectureKind, string, QuantizerKind> ArchitecturesFamiliesAndQuantizers()
    {
        var data = new TheoryData<ArchitectureKind, string, QuantizerKind>();
        foreach (var architecture in new[] { ArchitectureKind.ResNet18, ArchitectureKind.MobileNetV2 })
            foreach (var family in new[] { "binary", "uniform" })
                foreach (var quantizer in Enum.GetValues<QuantizerKind>())
                    data.Add(architecture, family, quantizer);
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchitecturesFamiliesAndQuantizers))]
    public void EverySwitchOfThePlanGivesTheTorchSharpLogits(ArchitectureKind architecture, string family, QuantizerKind quantizer)
    {
        var network = Calibrated(architecture, family, quantizer);
        using var scope = NewDisposeScope();
        var images = cat([RealImages(100, 6), RandomImages(2, seed: 5)], 0);
        foreach (var precision in Family(family))
        {
            var plan = InferencePlanCompiler.Compile(network, precision);
            var expected = TorchLogits(network, precision, images);
            var actual = PlanLogits(plan, images);
            double difference = RelativeDifference(actual, expected);
            output.WriteLine($"{architecture} {quantizer} {precision}: relative difference {difference:G3}");
            if (precision.WeightBits is > 2 and <= 8)
            {
                // As for ResNet-20: exact integer sums against oneDNN's rounded float sums put a few pre-activations on
                // the other side of a fine 4- or 8-bit level, and on an untrained network the flips move the logits, so
                // the predicted classes are compared (each step alone is checked in PlanAgreementTests). MobileNetV2's
                // 52 quantized layers cascade further than ResNet's: seen once, PACT W4A4 moved the logits by 19 % of the
                // largest and changed one image's class, so one of the eight may differ there.
                var (torchClasses, planClasses) = (ArgMax(expected, 10), ArgMax(actual, 10));
                int changed = torchClasses.Zip(planClasses).Count(pair => pair.First != pair.Second);
                output.WriteLine($"  {changed} of {torchClasses.Length} predicted classes differ");
                Assert.InRange(changed, 0, architecture == ArchitectureKind.MobileNetV2 ? 1 : 0);
                continue;
            }
            Assert.InRange(difference, 0, Tolerance);
        }
    }

    [Fact]
    public void TheMobileNetV2PlanRunsItsDepthwiseLayersOnTheDepthwiseKernelWithReLU6()
    {
        var network = (MobileNetV2)Calibrated(ArchitectureKind.MobileNetV2, "binary", QuantizerKind.DoReFa);
        var steps = InferencePlanCompiler.Compile(network, new Precision(1, 2)).Describe();
        int blocks = network.Blocks.Count();
        Assert.Equal(17, blocks);
        Assert.Equal(blocks, steps.Count(s => s.Contains(".depthwise: 3x3 conv", StringComparison.Ordinal) && s.Contains("depthwise (integer levels) + ReLU6", StringComparison.Ordinal)));
        // The first block has no expansion (factor 1); the others expand, and the depthwise layers read 2-bit levels.
        Assert.Equal(blocks - 1, steps.Count(s => s.Contains(".expand:", StringComparison.Ordinal)));
        Assert.DoesNotContain(steps, s => s.StartsWith("block0.expand", StringComparison.Ordinal));
        // Residual adds where stride 1 keeps the channels: at least the later blocks of every stage of several blocks.
        int residuals = network.Blocks.Count(b => b.HasResidual);
        Assert.InRange(residuals, 1 + 2 + 3 + 2 + 2, blocks);
        Assert.Equal(residuals, steps.Count(s => s.Contains(".project:", StringComparison.Ordinal) && s.Contains("+ residual", StringComparison.Ordinal)));
        Assert.DoesNotContain(steps, s => s.Contains(".project:", StringComparison.Ordinal) && s.Contains("ReLU", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("head: 1x1 conv", StringComparison.Ordinal) && s.Contains("+ ReLU6", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.35, QuantizerKind.Pact)]
    [InlineData(0.5, QuantizerKind.Lsq)]
    public void MobileNetV2AtOtherWidthsWithQuantizedEdgesAndColourInputsGivesTheTorchSharpLogits(double width, QuantizerKind quantizer)
    {
        var options = new NetworkOptions
        {
            Architecture = ArchitectureKind.MobileNetV2, WidthMultiplier = width, Switches = BinaryFamily, Quantizer = quantizer,
            InputChannels = 3, Height = 20, Width = 20, InputMean = [120f, 110f, 100f], InputStd = [60f, 62f, 64f],
            QuantizeFirstAndLastLayers = true, Classes = 7,
        };
        using var network = NetworkFactory.Create(options, seed: 4);
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var images = rand(4, 3, 20, 20, generator: generator).mul_(255);
        network.train();
        using (no_grad())
            foreach (var precision in BinaryFamily)
            {
                network.ActivePrecision = precision;
                for (int i = 0; i < 2; i++) network.forward(images);
            }
        network.eval();
        foreach (var precision in BinaryFamily)
        {
            var plan = InferencePlanCompiler.Compile(network, precision);
            double difference = RelativeDifference(PlanLogits(plan, images), TorchLogits(network, precision, images));
            output.WriteLine($"width {width} {quantizer} {precision}: relative difference {difference:G3}");
            Assert.InRange(difference, 0, Tolerance);
        }
    }
}
