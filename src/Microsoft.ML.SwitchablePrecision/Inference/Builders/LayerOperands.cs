using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// Reads one layer's operands at one switch out of the TorchSharp modules: the quantized weights (through the
/// layer's own quantizer family, so the plan multiplies with exactly the values the TorchSharp forward does)
/// reordered to the plan's K order, and the input quantizer's integer form as an <see cref="ActivationForm"/>.
/// </summary>
internal sealed class LayerOperands(SwitchContext context, int switchIndex)
{
    private Precision Switch => context.Switches[switchIndex];

    /// <summary>The convolution's weights <c>[out, (i * k + j) * in + c]</c> at the switch.</summary>
    public WeightLevels Weights(QuantizedConv2d convolution)
    {
        if (convolution.Groups != 1)
            throw new NotSupportedException($"Grouped convolutions (groups {convolution.Groups}) other than depthwise ones have no plan step yet.");
        int rows = (int)convolution.OutChannels, channels = (int)convolution.InChannels, k = convolution.KernelSize;
        var (values, bits, grid) = Quantized(convolution.Weight, convolution.WeightQuantizer);
        var reordered = new float[values.Length];
        int depth = channels * k * k;
        for (int m = 0; m < rows; m++)
            for (int c = 0; c < channels; c++)
                for (int t = 0; t < k * k; t++)
                    reordered[m * depth + t * channels + c] = values[(m * channels + c) * k * k + t];
        return Levels(reordered, rows, depth, bits, convolution.WeightQuantizer, grid);
    }

    /// <summary>True for a depthwise convolution: one filter per channel (groups = input channels = output channels).</summary>
    public static bool IsDepthwise(QuantizedConv2d convolution) =>
        convolution.Groups > 1 && convolution.Groups == convolution.InChannels && convolution.OutChannels == convolution.InChannels;

    /// <summary>The depthwise convolution's weights <c>[channel, i * k + j]</c> at the switch.</summary>
    public WeightLevels DepthwiseWeights(QuantizedConv2d convolution)
    {
        if (!IsDepthwise(convolution))
            throw new NotSupportedException(
                $"Convolution {convolution.InChannels}->{convolution.OutChannels} with groups {convolution.Groups} is not depthwise: expected groups = input channels = output channels.");
        var (values, bits, grid) = Quantized(convolution.Weight, convolution.WeightQuantizer);
        return Levels(values, (int)convolution.OutChannels, convolution.KernelSize * convolution.KernelSize, bits, convolution.WeightQuantizer, grid);
    }

    /// <summary>The linear layer's weights <c>[out, in]</c> at the switch.</summary>
    public WeightLevels Weights(QuantizedLinear linear)
    {
        var (values, bits, grid) = Quantized(linear.Weight, linear.WeightQuantizer);
        return Levels(values, (int)linear.OutFeatures, (int)linear.InFeatures, bits, linear.WeightQuantizer, grid);
    }

    /// <summary>What the layer's input quantizer makes of its input at the switch.</summary>
    public ActivationForm InputForm(ActivationQuantizer? quantizer)
    {
        if (quantizer is null) return ActivationForm.Raw;
        int bits = Switch.ActivationBits;
        if (UniformLevels.IsFullPrecision(bits)) return context.ClipFullPrecisionActivations ? ActivationForm.Clipped : ActivationForm.Raw;
        return ActivationForm.Levels(quantizer.Levels(switchIndex, bits));
    }

    private (float[] Values, int Bits, WeightGrid Grid) Quantized(Tensor weight, WeightQuantizer? quantizer)
    {
        using var noGrad = no_grad();
        int bits = quantizer is null ? Precision.FullPrecisionBits : Switch.WeightBits;
        if (UniformLevels.IsFullPrecision(bits)) return (FoldedNorm.Floats(weight), bits, default);
        using var quantized = quantizer!.Quantize(weight, switchIndex, bits);
        var values = FoldedNorm.Floats(quantized);
        return (values, bits, quantizer.Grid(switchIndex, bits, values));
    }

    private static WeightLevels Levels(float[] values, int rows, int depth, int bits, WeightQuantizer? quantizer, WeightGrid grid) =>
        UniformLevels.IsFullPrecision(bits)
            ? WeightLevels.FullPrecision(values, rows, depth)
            : WeightLevels.FromQuantized(values, rows, depth, bits, grid, quantizer!.Kind);
}
