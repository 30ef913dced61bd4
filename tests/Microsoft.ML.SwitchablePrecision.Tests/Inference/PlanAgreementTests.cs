using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class PlanAgreementTests(ITestOutputHelper output)
{
    // Logits within this fraction of the largest logit (issue 13).
    private const double Tolerance = 1e-4;

    public static TheoryData<string, QuantizerKind> FamiliesAndQuantizers()
    {
        var data = new TheoryData<string, QuantizerKind>();
        foreach (var family in new[] { "binary", "uniform" })
            foreach (var quantizer in Enum.GetValues<QuantizerKind>())
                data.Add(family, quantizer);
        return data;
    }

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
    [MemberData(nameof(FamiliesAndQuantizers))]
    public void EverySwitchOfThePlanGivesTheTorchSharpLogits(string family, QuantizerKind quantizer) =>
        EverySwitchAgrees(Calibrated(family, quantizer), family, quantizer, allowedClassChanges: 0);

    // ResNet-18 (width 0.125) and MobileNetV2 (width 0.25). MobileNetV2's 52 quantized layers cascade level flips
    // further than ResNet's: seen once, PACT W4A4 moved its logits by 19 % of the largest and changed one image's
    // class, so one of the eight may differ there (each step alone is checked below).
    [Theory]
    [MemberData(nameof(ArchitecturesFamiliesAndQuantizers))]
    public void EverySwitchOfResNet18AndMobileNetV2PlansGivesTheTorchSharpLogits(ArchitectureKind architecture, string family, QuantizerKind quantizer) =>
        EverySwitchAgrees(Calibrated(architecture, family, quantizer), family, quantizer,
            allowedClassChanges: architecture == ArchitectureKind.MobileNetV2 ? 1 : 0);

    private void EverySwitchAgrees(SwitchableNetwork network, string family, QuantizerKind quantizer, int allowedClassChanges)
    {
        using var scope = NewDisposeScope();
        var images = cat([RealImages(100, 6), RandomImages(2, seed: 5)], 0);
        foreach (var precision in Family(family))
        {
            var plan = InferencePlanCompiler.Compile(network, precision);
            var expected = TorchLogits(network, precision, images);
            var actual = PlanLogits(plan, images);
            double difference = RelativeDifference(actual, expected);
            output.WriteLine($"{network.Options.Architecture} {quantizer} {precision}: relative difference {difference:G3}");
            if (precision.WeightBits is > 2 and <= 8)
            {
                // The int8 kernel's sums are exact where oneDNN's float sums are rounded; on the finer 4- and 8-bit
                // grids that puts a few pre-activations per pass on the other side of a level (the step-by-step test
                // counts them), and on an untrained network the flips move these logits by up to a few percent, so
                // only the predicted classes are compared here.
                var (torchClasses, planClasses) = (ArgMax(expected, 10), ArgMax(actual, 10));
                int changed = torchClasses.Zip(planClasses).Count(pair => pair.First != pair.Second);
                Assert.True(changed <= allowedClassChanges, $"{precision}: {changed} of {torchClasses.Length} predicted classes differ");
                continue;
            }
            // A pre-activation within float rounding of a level boundary (the plan's exact sum on one side, oneDNN's
            // rounded sum on the other) moves one level, and that cascades through the later layers of its image only.
            // Seen on an AMD EPYC: LSQ W1A2, image 1, block6.conv2, a value 1e-6 from its boundary, 4.7 % at the
            // logits. So one image of the batch may differ; every other image's logits must match.
            var imagesOff = ImagesOff(actual, expected, classes: 10);
            Assert.True(imagesOff.Length <= 1,
                $"{precision}: the logits of images {string.Join(", ", imagesOff)} differ by more than {Tolerance} of the largest (overall {difference:G3})");
        }
    }

    // Images whose logits differ from expected by more than Tolerance of the batch's largest logit.
    private static int[] ImagesOff(float[] actual, float[] expected, int classes)
    {
        double scale = Math.Max(1e-6, expected.Max(Math.Abs));
        return Enumerable.Range(0, expected.Length / classes)
            .Where(image => Enumerable.Range(image * classes, classes).Any(i => Math.Abs(actual[i] - expected[i]) > Tolerance * scale))
            .ToArray();
    }

    [Theory]
    [InlineData(QuantizerKind.DoReFa)]
    [InlineData(QuantizerKind.Lsq)]
    public void TheBitSerialKernelGivesTheTorchSharpLogitsWhenForced(QuantizerKind quantizer)
    {
        // The default selection runs every quantized layer on int8 (measured faster); the bit-serial path must stay exact.
        var networks = new[] { Calibrated("binary", quantizer), Calibrated("uniform", quantizer) };
        using var scope = NewDisposeScope();
        var images = RealImages(120, 4);
        foreach (var (network, precision) in new[] { (networks[0], new Precision(1, 1)), (networks[0], new Precision(1, 2)),
            (networks[0], new Precision(1, 4)), (networks[1], new Precision(2, 2)) })
        {
            var plan = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 8);
            Assert.Contains(plan.Describe(), line => line.Contains("bit-serial", StringComparison.Ordinal));
            double difference = RelativeDifference(PlanLogits(plan, images), TorchLogits(network, precision, images));
            output.WriteLine($"{quantizer} {precision} bit-serial: relative difference {difference:G3}");
            Assert.InRange(difference, 0, Tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndQuantizers))]
    public void EveryStepComputesWhatTheTorchSharpLayerComputesOnTheSameInput(string family, QuantizerKind quantizer)
    {
        // Whole-network logits can differ where a pre-activation lies within float rounding of a quantization step:
        // the plan's sum and oneDNN's sum round it to neighbouring levels and the difference grows through the later
        // layers (most often at 8 bits, whose steps are finest). On TorchSharp's own inputs, step by step, nothing
        // cascades: floats agree to float rounding, and a level differs only by one step, at a handful of values.
        StepByStep(Calibrated(family, quantizer), family, quantizer);
    }

    [Theory]
    [MemberData(nameof(FamiliesAndQuantizers))]
    public void EveryMobileNetV2StepComputesWhatTheTorchSharpLayerComputesOnTheSameInput(string family, QuantizerKind quantizer) =>
        StepByStep(Calibrated(ArchitectureKind.MobileNetV2, family, quantizer), family, quantizer);

    private void StepByStep(SwitchableNetwork network, string family, QuantizerKind quantizer)
    {
        using var scope = NewDisposeScope();
        var images = RealImages(200, 4);
        foreach (var precision in Family(family))
        {
            var plan = InferencePlanCompiler.Compile(network, precision);
            LayerInputs layers;
            lock (network)
            {
                network.ActivePrecision = precision;
                layers = network is MobileNetV2 mobile ? LayerInputs.Capture(mobile, images) : LayerInputs.Capture((ResNet)network, images);
            }
            var steps = plan.Steps.OfType<ConvolutionStep>().Where(s => s.Name != "classifier").ToList();
            Assert.Equal(layers.Names.Order(), steps.Select(s => s.Name).Order());
            int flipped = 0, compared = 0;
            foreach (var step in steps)
                foreach (var (form, actual, expected) in LayerInputs.RunAlone(plan.Layout, step, layers[step.Name]))
                {
                    compared += actual.Length;
                    if (form.Quantizer is null)
                    {
                        Assert.True(RelativeDifference(actual, expected) <= 1e-5, $"{precision} {step.Name} {form.Encoding}: {RelativeDifference(actual, expected):G3}");
                        continue;
                    }
                    float unit = form.IsLevels ? 1f : form.Quantizer.Scale;
                    for (int i = 0; i < actual.Length; i++)
                    {
                        float offBy = MathF.Abs(actual[i] - expected[i]) / unit;
                        if (offBy < 1e-3f) continue;
                        Assert.True(MathF.Abs(offBy - 1) < 1e-3f, $"{precision} {step.Name}[{i}]: {actual[i]} against {expected[i]}");
                        flipped++;
                    }
                }
            output.WriteLine($"{quantizer} {precision}: {flipped} of {compared} quantized values one level off");
            Assert.InRange(flipped, 0, compared / 10_000);
        }
    }
}
