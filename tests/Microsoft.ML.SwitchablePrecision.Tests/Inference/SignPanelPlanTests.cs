using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Kernels;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// The plans' layers with sign weights and float inputs (every quantized layer at W1A32, MobileNetV2's expansions of
/// its float bottleneck at W1A1 too) run <see cref="SignPanelGemm"/> where a vector variant runs, and give exactly
/// the logits of the portable path, which runs <see cref="SignAccumulateGemm.Reference"/>.
/// </summary>
public class SignPanelPlanTests
{
    [Theory]
    [InlineData(ArchitectureKind.ResNet20, 1, 32)]
    [InlineData(ArchitectureKind.ResNet18, 1, 32)]
    [InlineData(ArchitectureKind.MobileNetV2, 1, 32)]
    [InlineData(ArchitectureKind.MobileNetV2, 1, 1)]
    public void SignWeightLayersWithFloatInputsRunTheSignPanelKernelAndGiveTheSignAccumulateReferencesLogits(
        ArchitectureKind architecture, int weightBits, int activationBits)
    {
        Assert.True(SignPanelGemm.Vectorised, "this test needs a CPU with AVX2 and FMA or AVX-512");
        var network = Calibrated(architecture, "binary", QuantizerKind.DoReFa);
        var precision = new Precision(weightBits, activationBits);
        var plan = InferencePlanCompiler.Compile(network, precision);
        var signLayers = plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is SignArithmetic).ToArray();
        Assert.NotEmpty(signLayers);
        Assert.All(signLayers, s => Assert.Equal("sign-panel GEMM", s.Arithmetic.KernelName));
        if (architecture == ArchitectureKind.MobileNetV2)
            Assert.Contains(signLayers, s => s.Arithmetic.Shape is { KernelSize: 1, Stride: 1, Padding: 0 });
        using var scope = NewDisposeScope();
        // 7 images: a full chunk of 4 and a tail of 3 on one thread, split between two threads.
        var images = cat([RealImages(300, 6), RandomImages(1, seed: 12)], 0);
        float[] portable;
        using (KernelSupport.PortableOnly())
        {
            Assert.All(signLayers, s => Assert.Equal("sign-accumulate GEMM", s.Arithmetic.KernelName));
            portable = PlanLogits(plan, images, threads: 1);
        }
        Assert.Equal(portable, PlanLogits(plan, images, threads: 1));
        Assert.Equal(portable, PlanLogits(plan, images, threads: 2));
        Assert.Equal(portable.AsSpan(0, plan.Classes).ToArray(), PlanLogits(plan, images.narrow(0, 0, 1), threads: 1));
    }

    [Fact]
    public void TheSignPanelPlansAgreeWithTheTorchSharpForwardAtW1A32()
    {
        var network = Calibrated("binary", QuantizerKind.Pact);
        var precision = new Precision(1, 32);
        using var scope = NewDisposeScope();
        var images = RealImages(400, 5);
        var plan = InferencePlanCompiler.Compile(network, precision);
        Assert.Contains(plan.Describe(), line => line.Contains("sign-panel GEMM", StringComparison.Ordinal));
        Assert.InRange(RelativeDifference(PlanLogits(plan, images), TorchLogits(network, precision, images)), 0, 1e-4);
    }

    [Fact]
    public void TheWeightsStayBitsOnePanelOfScratchPerCall()
    {
        var network = Calibrated("binary", QuantizerKind.DoReFa);
        var plan = InferencePlanCompiler.Compile(network, new Precision(1, 32));
        foreach (var step in plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is SignArithmetic))
        {
            var shape = step.Arithmetic.Shape;
            // One bit per weight, rows padded to blocks of 16.
            Assert.Equal((shape.OutChannels + 15) / 16 * 16L * shape.Depth / 8, step.Arithmetic.PackedWeightBytes);
            Assert.True(step.Arithmetic.Scratch(4).Floats >= SignPanelGemm.PanelLength(shape.Depth));
        }
    }
}
