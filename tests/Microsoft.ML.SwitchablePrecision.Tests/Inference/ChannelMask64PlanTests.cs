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

/// <summary>The 64-bit channel-mask bit convolution inside plans: where the default selection puts it and what it computes.</summary>
public class ChannelMask64PlanTests
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
    public void TheDefaultPlanRunsItsSixtyFourChannelLayersOnBitsAndGivesTheInt8PlansLogitsExactly(QuantizerKind quantizer, int bits)
    {
        // Selected only where a vector variant was measured; the AVX-512 and AVX2 regions give these layers alike.
        if (KernelSupport.Fastest(ChannelMaskConvolution.Preference) is not (KernelVariant.Avx512 or KernelVariant.Avx2)) return;
        var network = Calibrated("binary", quantizer);
        var precision = new Precision(1, bits);
        var chosen = InferencePlanCompiler.Compile(network, precision);
        var int8 = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 0);
        var wide = chosen.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is ChannelMaskArithmetic<ulong>).Select(s => s.Name).ToArray();
        // The 3x3 layers reading 64 channels: the second layer of block 6 and both of blocks 7-8.
        Assert.Equal(["block6.conv2", "block7.conv1", "block7.conv2", "block8.conv1", "block8.conv2"], wide);
        Assert.Contains(chosen.Describe(), s => s.StartsWith("block8.conv2:", StringComparison.Ordinal)
            && s.Contains($"64-bit channel-mask bit convolution (1-bit weights x {bits} planes)", StringComparison.Ordinal));
        Assert.DoesNotContain(int8.Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is ChannelMaskArithmetic<ulong>);

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
            Assert.DoesNotContain(InferencePlanCompiler.Compile(network, precision).Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is ChannelMaskArithmetic<ulong>);
        // A forced bit-serial plan keeps the bit-serial kernel everywhere it serves (its own tests rely on it).
        Assert.DoesNotContain(InferencePlanCompiler.Compile(binary, new Precision(1, 1), maxBitSerialPlanes: 8).Steps.OfType<ConvolutionStep>(),
            s => s.Arithmetic is ChannelMaskArithmetic<ulong>);
        // 16- and 32-channel layers stay on the narrower masks.
        var plan = InferencePlanCompiler.Compile(binary, new Precision(1, 1));
        Assert.All(plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is ChannelMaskArithmetic<ulong>),
            s => Assert.Equal(64, s.Arithmetic.Shape.InChannels));
    }

    [Theory]
    [InlineData(64, 7, 64, 1, 1, true, true)]    // ResNet-20's 64-channel layers: 1.2-4.3x the bit-serial GEMM
    [InlineData(64, 7, 64, 1, 2, true, true)]    // 1.2-1.4x int8
    [InlineData(64, 32, 64, 1, 1, true, true)]   // ResNet-18's first stage
    [InlineData(64, 32, 128, 2, 1, true, true)]  // its stride-2 64->128 layer
    [InlineData(64, 32, 128, 2, 2, true, true)]
    [InlineData(64, 7, 64, 1, 4, false, false)]   // four plane pairs: 0.5-1.0x int8
    [InlineData(48, 14, 48, 1, 1, false, false)]  // no such layer measured in a plan
    [InlineData(40, 7, 64, 1, 2, false, false)]   // 0.8x int8
    [InlineData(32, 14, 32, 1, 1, false, false)]  // the 32-bit masks' layer
    public void ItServesTheShapesItWonOn(int inChannels, int size, int outChannels, int stride, int planes, bool faster, bool fasterAvx2)
    {
        var shape = new ConvolutionShape(inChannels, size, size, outChannels, 3, stride, 1);
        Assert.Equal(faster, ChannelMaskArithmetic<ulong>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Avx512));
        Assert.Equal(fasterAvx2, ChannelMaskArithmetic<ulong>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Avx2));
        Assert.False(ChannelMaskArithmetic<ulong>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Scalar));
        var here = KernelSupport.Fastest(ChannelMaskConvolution.Preference);
        Assert.Equal(here == KernelVariant.Avx512 ? faster : here == KernelVariant.Avx2 && fasterAvx2, ChannelMaskArithmetic<ulong>.MeasuredFasterThanInt8(shape, planes));
        // 1x1 layers are not measured.
        Assert.False(ChannelMaskArithmetic<ulong>.MeasuredFasterThanInt8(new ConvolutionShape(inChannels, size, size, outChannels, 1, stride, 0), planes));
    }

    [Fact]
    public void LayersItCannotRunAreRefusedNamingWhatTheyHave()
    {
        var shape = new ConvolutionShape(64, 4, 4, 2, 3, 1, 1);
        var twoBit = WeightLevels.FromStored(new int[2 * 576], new float[2 * 576], 2, 576, 2, new WeightGrid(0.5f, -2, 1, 1));
        var quantizer = ActivationForm.Levels(TestQuantizer());
        var error = Assert.Throws<ArgumentException>(() => new ChannelMaskArithmetic<ulong>(shape, twoBit, quantizer.Quantizer!));
        Assert.Contains("64-bit channel-mask convolution needs 1-bit weights, 1 to 64 input channels and a kernel of at most 5; the layer has 2-bit weights, 64 channels, kernel 3",
            error.Message, StringComparison.Ordinal);
        var wider = new ConvolutionShape(128, 4, 4, 2, 3, 1, 1);
        Assert.False(ChannelMaskArithmetic<ulong>.Serves(wider, WeightLevels.FromStored(new int[2 * 1152], new float[2 * 1152], 2, 1152, 1, new WeightGrid(1f, -1, 1, 2))));
    }

    // A 1-bit DoReFa activation quantizer, as the compiled plans hold one.
    private static LevelQuantizer TestQuantizer()
    {
        var plan = InferencePlanCompiler.Compile(Calibrated("binary", QuantizerKind.DoReFa), new Precision(1, 1));
        return plan.Steps.OfType<ConvolutionStep>().First(s => s.Arithmetic.InputForm.IsLevels).Arithmetic.InputForm.Quantizer!;
    }
}
