using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Kernels;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// The engine's portable path (what a CPU without AVX2 or AVX-512, or an ARM64 one, runs), forced on this machine on
/// every test run: every kernel on its scalar variant or its reference, and no vector loop in the plan's other steps.
/// </summary>
public class PortablePathTests
{
    [Fact]
    public void TheForcedPortablePathResolvesEveryKernelToScalarCodeOnTheCallingThreadOnly()
    {
        using (KernelSupport.PortableOnly())
        {
            Assert.False(KernelSupport.VectorsAllowed);
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", Int8Gemm.Preference));
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", BitSerialGemm.Preference));
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", DepthwiseConvolution.Preference));
            Assert.Equal(KernelVariant.Scalar, KernelSupport.Resolve(KernelVariant.Auto, "test", ChannelMaskConvolution.Preference));
            Assert.Equal(KernelVariant.Reference, KernelSupport.Resolve(KernelVariant.Auto, "test", FloatGemm.Preference));
            Assert.Equal(KernelVariant.Reference, KernelSupport.Resolve(KernelVariant.Auto, "test", SignAccumulateGemm.Preference));
            // Other threads keep their own selection.
            bool elsewhere = false;
            var thread = new Thread(() => elsewhere = KernelSupport.VectorsAllowed);
            thread.Start();
            thread.Join();
            Assert.True(elsewhere);
            using (KernelSupport.PortableOnly()) Assert.False(KernelSupport.VectorsAllowed);
            Assert.False(KernelSupport.VectorsAllowed);
        }
        Assert.True(KernelSupport.VectorsAllowed);
    }

    [Theory]
    [InlineData(ArchitectureKind.ResNet20, "binary", QuantizerKind.DoReFa)]
    [InlineData(ArchitectureKind.ResNet20, "uniform", QuantizerKind.DoReFa)]
    [InlineData(ArchitectureKind.ResNet20, "binary", QuantizerKind.Pact)]
    [InlineData(ArchitectureKind.ResNet20, "uniform", QuantizerKind.Lsq)]
    [InlineData(ArchitectureKind.MobileNetV2, "binary", QuantizerKind.Lsq)]
    [InlineData(ArchitectureKind.MobileNetV2, "uniform", QuantizerKind.Pact)]
    public void EverySwitchGivesTheSameLogitsOnThePortablePathAsOnTheVectorisedOne(ArchitectureKind architecture, string family, QuantizerKind quantizer)
    {
        var network = Calibrated(architecture, family, quantizer);
        using var scope = NewDisposeScope();
        // Seven images: every layer shape and kernel variant runs on each one, and the scalar path is slow.
        var images = cat([RealImages(6, 5), RandomImages(1, seed: 8)], 0);
        foreach (var precision in Family(family))
        {
            // Plans compiled with int8 only, the default selection (the channel-mask kernels on 16- and 32-channel
            // layers at W1A1/W1A2) and the bit-serial kernel forced, so every scalar variant runs.
            foreach (int planes in new[] { 0, ArithmeticSelector.DefaultMaxBitSerialPlanes, 8 })
            {
                var plan = InferencePlanCompiler.Compile(network, precision, planes);
                var vectorised = PlanLogits(plan, images, threads: 1);
                float[] portable;
                using (KernelSupport.PortableOnly()) portable = PlanLogits(plan, images, threads: 1);
                // Every variant of every kernel gives the same bits (integer sums are exact, float sums keep one order).
                Assert.Equal(vectorised, portable);
            }
        }
    }
}
