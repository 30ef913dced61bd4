using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Kernels;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>The int16 GEMM inside plans: where a CPU without AVX-VNNI puts it and what it computes.</summary>
public class Int16PlanTests
{
    [Fact]
    public void WithoutVnniTheWideW8A8LayersRunOnInt16AndGiveTheDefaultPlansLogitsExactly()
    {
        if (!KernelSupport.IsSupported(KernelVariant.Avx2)) return;
        var network = Calibrated("uniform", QuantizerKind.DoReFa);
        var precision = new Precision(8, 8);
        var chosen = InferencePlanCompiler.Compile(network, precision);
        InferencePlan withoutVnni;
        using (KernelSupport.WithoutVnni()) withoutVnni = InferencePlanCompiler.Compile(network, precision);

        // Every layer the default plan runs on int8 (the quantized 3x3 layers, 16 to 64 channels) runs on int16 instead.
        var int8 = chosen.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is Int8Arithmetic or Int16Arithmetic).Select(s => s.Name).ToArray();
        var wide = withoutVnni.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is Int16Arithmetic).Select(s => s.Name).ToArray();
        Assert.Equal(int8, wide);
        Assert.Contains("block0.conv1", wide);
        Assert.Contains(withoutVnni.Describe(), s => s.Contains("int16 GEMM", StringComparison.Ordinal));
        bool vnni = KernelSupport.IsSupported(KernelVariant.AvxVnni);
        Assert.Equal(!vnni, chosen.Steps.OfType<ConvolutionStep>().Any(s => s.Arithmetic is Int16Arithmetic));
        // Other switches and quantizers never take it: 4-bit levels fit the int8 pair sums.
        using (KernelSupport.WithoutVnni())
            Assert.DoesNotContain(InferencePlanCompiler.Compile(network, new Precision(4, 4)).Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is Int16Arithmetic);

        using var scope = NewDisposeScope();
        var images = cat([RealImages(200, 5), RandomImages(2, seed: 17)], 0);
        // Both GEMMs compute the exact integer sums, so the plans agree bit for bit: one image, a batch, two threads.
        Assert.Equal(PlanLogits(chosen, images.narrow(0, 0, 1)), PlanLogits(withoutVnni, images.narrow(0, 0, 1)));
        Assert.Equal(PlanLogits(chosen, images), PlanLogits(withoutVnni, images));
        Assert.Equal(PlanLogits(chosen, images, threads: 2), PlanLogits(withoutVnni, images, threads: 2));
    }

    [Fact]
    public void ForcingVnniInsideTheScopeFailsAsOnACpuWithoutIt()
    {
        using var scope = KernelSupport.WithoutVnni();
        Assert.False(KernelSupport.IsSupported(KernelVariant.AvxVnni));
        Assert.NotEqual(KernelVariant.AvxVnni, KernelSupport.Fastest(Int8Gemm.Preference));
        Assert.DoesNotContain(KernelVariant.AvxVnni, Int8Gemm.Variants);
    }
}
