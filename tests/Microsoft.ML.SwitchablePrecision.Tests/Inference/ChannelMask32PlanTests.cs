using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>The 32-bit channel-mask bit convolution inside plans: where the default selection puts it and what it computes.</summary>
public class ChannelMask32PlanTests
{
    public static TheoryData<QuantizerKind, int> QuantizersAndActivationBits()
    {
        var data = new TheoryData<QuantizerKind, int>();
        foreach (var quantizer in Enum.GetValues<QuantizerKind>())
            foreach (int bits in new[] { 1, 2 })
                data.Add(quantizer, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(QuantizersAndActivationBits))]
    public void TheDefaultPlanRunsItsThirtyTwoChannelLayersOnBitsAndGivesTheInt8PlansLogitsExactly(QuantizerKind quantizer, int bits)
    {
        // Selected only where a vector variant was measured; the AVX-512 and AVX2 regions give these layers alike.
        if (KernelSupport.Fastest(ChannelMaskConvolution.Preference) is not (KernelVariant.Avx512 or KernelVariant.Avx2)) return;
        var network = Calibrated("binary", quantizer);
        var precision = new Precision(1, bits);
        var chosen = InferencePlanCompiler.Compile(network, precision);
        var int8 = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 0);
        var wide = chosen.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is ChannelMaskArithmetic<uint>).Select(s => s.Name).ToArray();
        // The 3x3 layers reading 32 channels: the second layer of block 3, both of blocks 4-5 and the stride-2 first of block 6.
        Assert.Equal(["block3.conv2", "block4.conv1", "block4.conv2", "block5.conv1", "block5.conv2", "block6.conv1"], wide);
        Assert.Contains(chosen.Describe(), s => s.StartsWith("block6.conv1:", StringComparison.Ordinal)
            && s.Contains($"32-bit channel-mask bit convolution (1-bit weights x {bits} planes)", StringComparison.Ordinal));
        Assert.DoesNotContain(int8.Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is ChannelMaskArithmetic<uint>);

        using var scope = NewDisposeScope();
        var images = cat([RealImages(200, 7), RandomImages(2, seed: 13)], 0);
        // Both kernels compute the exact integer sums, so the plans agree bit for bit: one image, a batch, two threads.
        Assert.Equal(PlanLogits(int8, images.narrow(0, 0, 1)), PlanLogits(chosen, images.narrow(0, 0, 1)));
        Assert.Equal(PlanLogits(int8, images), PlanLogits(chosen, images));
        Assert.Equal(PlanLogits(int8, images, threads: 2), PlanLogits(chosen, images, threads: 2));
        float[] portable;
        using (KernelSupport.PortableOnly()) portable = PlanLogits(chosen, images);
        Assert.Equal(PlanLogits(int8, images), portable);
    }

    [Fact]
    public void OtherSwitchesAndForcedPlansKeepTheirKernels()
    {
        var binary = Calibrated("binary", QuantizerKind.DoReFa);
        var uniform = Calibrated("uniform", QuantizerKind.DoReFa);
        foreach (var (network, precision) in new[] { (binary, new Precision(1, 4)), (binary, new Precision(1, 32)), (uniform, new Precision(2, 2)) })
            Assert.DoesNotContain(InferencePlanCompiler.Compile(network, precision).Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is ChannelMaskArithmetic<uint>);
        // A forced bit-serial plan keeps the bit-serial kernel everywhere it serves (its own tests rely on it).
        Assert.DoesNotContain(InferencePlanCompiler.Compile(binary, new Precision(1, 1), maxBitSerialPlanes: 8).Steps.OfType<ConvolutionStep>(),
            s => s.Arithmetic is ChannelMaskArithmetic<uint>);
        // 16-channel layers stay on the 16-bit masks, 64-channel ones on their kernels.
        var plan = InferencePlanCompiler.Compile(binary, new Precision(1, 1));
        Assert.All(plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is ChannelMaskArithmetic<uint>),
            s => Assert.Equal(32, s.Arithmetic.Shape.InChannels));
    }

    [Theory]
    [InlineData(32, 14, 32, 1, 1, true, true)]
    [InlineData(32, 14, 32, 1, 2, true, true)]
    [InlineData(32, 14, 64, 2, 1, true, true)]
    [InlineData(32, 14, 64, 2, 2, true, true)]
    [InlineData(32, 14, 32, 1, 4, false, false)]  // four plane pairs: int8 wins
    [InlineData(24, 14, 24, 1, 1, true, true)]
    [InlineData(24, 14, 24, 1, 2, false, false)]  // 0.75-0.80x of int8
    [InlineData(24, 14, 48, 2, 1, false, false)]  // not measured
    [InlineData(20, 14, 32, 1, 1, false, false)]  // 1.17x in one run only
    [InlineData(16, 28, 16, 1, 1, false, false)]  // the 16-bit masks' layer
    [InlineData(64, 7, 64, 1, 1, false, false)]   // more than one mask holds
    public void ItServesTheShapesItWonOn(int inChannels, int size, int outChannels, int stride, int planes, bool faster, bool fasterAvx2)
    {
        var shape = new ConvolutionShape(inChannels, size, size, outChannels, 3, stride, 1);
        Assert.Equal(faster, ChannelMaskArithmetic<uint>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Avx512));
        Assert.Equal(fasterAvx2, ChannelMaskArithmetic<uint>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Avx2));
        Assert.False(ChannelMaskArithmetic<uint>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Scalar));
        var here = KernelSupport.Fastest(ChannelMaskConvolution.Preference);
        Assert.Equal(here == KernelVariant.Avx512 ? faster : here == KernelVariant.Avx2 && fasterAvx2, ChannelMaskArithmetic<uint>.MeasuredFasterThanInt8(shape, planes));
        // 1x1 layers lose (0.3-0.85x).
        Assert.False(ChannelMaskArithmetic<uint>.MeasuredFasterThanInt8(new ConvolutionShape(inChannels, size, size, outChannels, 1, stride, 0), planes));
    }

    [Fact]
    public void LayersItCannotRunAreRefusedNamingWhatTheyHave()
    {
        var shape = new ConvolutionShape(32, 4, 4, 2, 3, 1, 1);
        var twoBit = WeightLevels.FromStored(new int[2 * 288], new float[2 * 288], 2, 288, 2, new WeightGrid(0.5f, -2, 1, 1));
        var quantizer = ActivationForm.Levels(TestQuantizer());
        var error = Assert.Throws<ArgumentException>(() => new ChannelMaskArithmetic<uint>(shape, twoBit, quantizer.Quantizer!));
        Assert.Contains("needs 1-bit weights, 1 to 32 input channels and a kernel of at most 5; the layer has 2-bit weights, 32 channels, kernel 3",
            error.Message, StringComparison.Ordinal);
        var wider = new ConvolutionShape(64, 4, 4, 2, 3, 1, 1);
        Assert.False(ChannelMaskArithmetic<uint>.Serves(wider, WeightLevels.FromStored(new int[2 * 576], new float[2 * 576], 2, 576, 1, new WeightGrid(1f, -1, 1, 2))));
    }

    // A 1-bit DoReFa activation quantizer, as the compiled plans hold one.
    private static LevelQuantizer TestQuantizer()
    {
        var plan = InferencePlanCompiler.Compile(Calibrated("binary", QuantizerKind.DoReFa), new Precision(1, 1));
        return plan.Steps.OfType<ConvolutionStep>().First(s => s.Arithmetic.InputForm.IsLevels).Arithmetic.InputForm.Quantizer!;
    }
}
