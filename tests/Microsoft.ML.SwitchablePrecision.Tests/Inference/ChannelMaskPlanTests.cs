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

/// <summary>The channel-mask bit convolution inside plans: where the default selection puts it and what it computes.</summary>
public class ChannelMaskPlanTests
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
    public void TheDefaultPlanRunsItsSixteenChannelLayersOnBitsAndGivesTheInt8PlansLogitsExactly(QuantizerKind quantizer, int bits)
    {
        // Selected only where a vector variant was measured; the AVX-512 and AVX2 regions give these layers alike.
        if (KernelSupport.Fastest(ChannelMaskConvolution.Preference) is not (KernelVariant.Avx512 or KernelVariant.Avx2)) return;
        var network = Calibrated("binary", quantizer);
        var precision = new Precision(1, bits);
        var chosen = InferencePlanCompiler.Compile(network, precision);
        var int8 = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 0);
        var masked = chosen.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is ChannelMaskArithmetic<ushort>).Select(s => s.Name).ToArray();
        // The 3x3 layers reading 16 channels: blocks 0-2, and at W1A1 the stride-2 first layer of block 3.
        string[] sixteen = ["block0.conv1", "block0.conv2", "block1.conv1", "block1.conv2", "block2.conv1", "block2.conv2"];
        Assert.Equal(bits == 1 ? [.. sixteen, "block3.conv1"] : sixteen, masked);
        Assert.Contains(chosen.Describe(), s => s.StartsWith("block2.conv2:", StringComparison.Ordinal)
            && s.Contains($"channel-mask bit convolution (1-bit weights x {bits} planes)", StringComparison.Ordinal));
        Assert.DoesNotContain(int8.Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is ChannelMaskArithmetic<ushort>);

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
    public void OtherSwitchesKeepTheirKernels()
    {
        var binary = Calibrated("binary", QuantizerKind.DoReFa);
        var uniform = Calibrated("uniform", QuantizerKind.DoReFa);
        foreach (var (network, precision) in new[] { (binary, new Precision(1, 4)), (binary, new Precision(1, 32)), (uniform, new Precision(2, 2)) })
            Assert.DoesNotContain(InferencePlanCompiler.Compile(network, precision).Steps.OfType<ConvolutionStep>(), s => s.Arithmetic is ChannelMaskArithmetic<ushort>);
        // A forced bit-serial plan keeps the bit-serial kernel everywhere it serves (its own tests rely on it).
        Assert.DoesNotContain(InferencePlanCompiler.Compile(binary, new Precision(1, 1), maxBitSerialPlanes: 8).Steps.OfType<ConvolutionStep>(),
            s => s.Arithmetic is ChannelMaskArithmetic<ushort>);
    }

    [Theory]
    [InlineData(16, 28, 16, 1, 1, true, true)]
    [InlineData(16, 28, 32, 2, 1, true, true)]
    [InlineData(16, 28, 16, 1, 2, true, true)]
    [InlineData(16, 28, 32, 2, 2, false, false)] // a tie with int8 inside the plan
    [InlineData(16, 28, 16, 1, 4, false, false)]
    [InlineData(8, 28, 8, 1, 1, true, false)] // AVX2: 0.95x int8
    [InlineData(8, 28, 16, 2, 1, false, false)]
    [InlineData(12, 16, 24, 1, 2, false, false)]
    [InlineData(7, 28, 8, 1, 1, false, false)]
    [InlineData(32, 14, 32, 1, 1, false, false)]
    public void ItServesTheShapesItWonOn(int inChannels, int size, int outChannels, int stride, int planes, bool faster, bool fasterAvx2)
    {
        var shape = new ConvolutionShape(inChannels, size, size, outChannels, 3, stride, 1);
        Assert.Equal(faster, ChannelMaskArithmetic<ushort>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Avx512));
        Assert.Equal(fasterAvx2, ChannelMaskArithmetic<ushort>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Avx2));
        Assert.False(ChannelMaskArithmetic<ushort>.MeasuredFasterThanInt8(shape, planes, KernelVariant.Scalar));
        var here = KernelSupport.Fastest(ChannelMaskConvolution.Preference);
        Assert.Equal(here == KernelVariant.Avx512 ? faster : here == KernelVariant.Avx2 && fasterAvx2, ChannelMaskArithmetic<ushort>.MeasuredFasterThanInt8(shape, planes));
        Assert.False(ChannelMaskArithmetic<ushort>.MeasuredFasterThanInt8(new ConvolutionShape(inChannels, size, size, outChannels, 1, stride, 0), planes));
    }

    [Fact]
    public void LayersItCannotRunAreRefusedNamingWhatTheyHave()
    {
        var shape = new ConvolutionShape(16, 4, 4, 2, 3, 1, 1);
        var twoBit = WeightLevels.FromStored(new int[2 * 144], new float[2 * 144], 2, 144, 2, new WeightGrid(0.5f, -2, 1, 1));
        var quantizer = ActivationForm.Levels(TestQuantizer());
        var error = Assert.Throws<ArgumentException>(() => new ChannelMaskArithmetic<ushort>(shape, twoBit, quantizer.Quantizer!));
        Assert.Contains("needs 1-bit weights, 1 to 16 input channels and a kernel of at most 4; the layer has 2-bit weights, 16 channels, kernel 3",
            error.Message, StringComparison.Ordinal);
        var wide = new ConvolutionShape(32, 4, 4, 2, 3, 1, 1);
        Assert.False(ChannelMaskArithmetic<ushort>.Serves(wide, WeightLevels.FromStored(new int[2 * 288], new float[2 * 288], 2, 288, 1, new WeightGrid(1f, -1, 1, 2))));
    }

    // A 1-bit DoReFa activation quantizer, as the compiled plans hold one.
    private static LevelQuantizer TestQuantizer()
    {
        var plan = InferencePlanCompiler.Compile(Calibrated("binary", QuantizerKind.DoReFa), new Precision(1, 1));
        return plan.Steps.OfType<ConvolutionStep>().First(s => s.Arithmetic.InputForm.IsLevels).Arithmetic.InputForm.Quantizer!;
    }
}
