namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Reorders convolution weights from PyTorch's <c>[outChannels, inChannels, kernelHeight, kernelWidth]</c> into GEMM
/// rows <c>[outChannels, K]</c> whose K order is (kernel row i, kernel column j, input channel c), channel fastest:
/// <c>k = (i * kernelWidth + j) * inChannels + c</c>, the order <see cref="PackedBinaryWeights.FromConvolution"/> uses
/// and the one a channels-last im2col produces (each tap's channels are one contiguous run).
/// </summary>
internal static class ConvolutionRows
{
    public static T[] ChannelFastest<T>(ReadOnlySpan<T> weights, int outChannels, int inChannels, int kernelHeight, int kernelWidth)
    {
        KernelChecks.Positive(outChannels, nameof(outChannels));
        KernelChecks.Positive(inChannels, nameof(inChannels));
        KernelChecks.Positive(kernelHeight, nameof(kernelHeight));
        KernelChecks.Positive(kernelWidth, nameof(kernelWidth));
        int taps = kernelHeight * kernelWidth, depth = inChannels * taps;
        KernelChecks.Length(weights.Length, (long)outChannels * depth, nameof(weights),
            "outChannels * inChannels * kernelHeight * kernelWidth");
        var rows = new T[outChannels * depth];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
                for (int tap = 0; tap < taps; tap++)
                    rows[o * depth + tap * inChannels + c] = weights[(o * inChannels + c) * taps + tap];
        return rows;
    }
}
