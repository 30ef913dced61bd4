using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Float32 convolution: float im2col columns times the weights' float values (full-precision weights, or quantized
/// weights' values where no integer kernel serves the switch). The input is read in <see cref="InputForm"/>: raw,
/// clipped, or dequantized levels.
/// </summary>
internal sealed class FloatArithmetic(ConvolutionShape shape, WeightLevels weights, ActivationForm inputForm)
    : ConvolutionArithmetic(shape)
{
    private readonly float[] _weights = weights.Values;

    /// <inheritdoc/>
    public override string KernelName => "float32 GEMM";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; } = inputForm;

    /// <inheritdoc/>
    public override float OutputScale => 1f;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Floats: (long)images * Shape.OutPixels * Shape.Depth);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int depth = Shape.Depth, pixels = Shape.OutPixels, columns = images * pixels;
        var im2col = workspace.FloatScratch(columns * depth);
        var source = workspace.Floats(input, images);
        for (int n = 0; n < images; n++)
            Shape.Im2Col<float>(source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), 0, pixels,
                im2col.Slice(n * pixels * depth), depth, 0f);
        FloatGemmPlaceholder.Multiply(_weights, Shape.OutChannels, depth, im2col, columns, accumulators);
    }
}
