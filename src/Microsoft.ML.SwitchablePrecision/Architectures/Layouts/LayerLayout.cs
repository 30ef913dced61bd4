namespace Microsoft.ML.SwitchablePrecision.Architectures.Layouts;

/// <summary>
/// One convolution of an architecture as its constructor builds it from the options, without TorchSharp: the state
/// path of its parameters (<c>{Path}.weight</c>, <c>{Path}.weight_quantizer.*</c>, <c>{Path}.input_quantizer.*</c>), the
/// path of the switchable BatchNorm that follows it, its geometry and which operands it quantizes.
/// </summary>
internal sealed record ConvolutionLayout(string Path, string NormPath, int InChannels, int OutChannels, int Kernel, int Stride,
    int Padding, int Groups, bool QuantizesWeights, bool QuantizesInput)
{
    /// <summary>The shape of the latent weight: <c>[out, in / groups, k, k]</c>.</summary>
    public long[] WeightShape => [OutChannels, InChannels / Groups, Kernel, Kernel];

    /// <summary>True for a depthwise convolution (groups = input channels = output channels).</summary>
    public bool IsDepthwise => Groups > 1 && Groups == InChannels && OutChannels == InChannels;
}

/// <summary>The classifier: <c>W x + b</c>, its state path, size and which operands it quantizes.</summary>
internal sealed record LinearLayout(string Path, int InFeatures, int OutFeatures, bool QuantizesWeights, bool QuantizesInput)
{
    /// <summary>The shape of the latent weight: <c>[out, in]</c>.</summary>
    public long[] WeightShape => [OutFeatures, InFeatures];
}

/// <summary>Channel counts of the architectures at a width multiplier.</summary>
internal static class ChannelWidths
{
    /// <summary>A published channel count scaled by the width multiplier (at least 1 channel).</summary>
    public static long Scale(int channels, double multiplier) => Math.Max(1, (long)Math.Round(channels * multiplier));
}
