using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// The MobileNetV2 plan's structure and other widths (every switch and quantizer of ResNet-18 and MobileNetV2 against
/// their TorchSharp forward is in <see cref="PlanAgreementTests"/>).
/// </summary>
public class ArchitecturePlanTests(ITestOutputHelper output)
{
    // Logits within this fraction of the largest logit, as for ResNet-20 (PlanAgreementTests).
    private const double Tolerance = 1e-4;

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
