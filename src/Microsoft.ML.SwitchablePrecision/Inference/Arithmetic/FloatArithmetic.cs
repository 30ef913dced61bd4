using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Float32 convolution (<see cref="FloatGemm"/>): the weights' float values (full-precision weights, or quantized
/// weights' values where no integer kernel serves the switch) times the taps of the input, read straight from a
/// zero-bordered copy of each image (<see cref="PaddedFloatTaps"/>, no im2col buffer). The input is read in
/// <see cref="InputForm"/>: raw, clipped, or dequantized levels.
/// </summary>
internal sealed class FloatArithmetic(ConvolutionShape shape, WeightLevels weights, ActivationForm inputForm)
    : ConvolutionArithmetic(shape)
{
    private readonly FloatGemmWeights _weights = FloatGemmWeights.FromMatrix(weights.Values, weights.Rows, weights.Depth);

    /// <inheritdoc/>
    public override string KernelName => "float32 GEMM";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; } = inputForm;

    /// <inheritdoc/>
    public override float OutputScale => 1f;

    /// <inheritdoc/>
    public override long PackedWeightBytes => (long)_weights.Panel.Length * sizeof(float);

    private readonly PaddedFloatTaps _taps = new(shape);

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Floats: _taps.PaddedLength);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        var source = workspace.Floats(input, images);
        var scratch = workspace.FloatScratch(_taps.PaddedLength);
        int pixels = Shape.OutPixels, rows = Shape.OutChannels;
        for (int n = 0; n < images; n++)
            FloatGemm.Multiply(_weights, _taps.Columns(source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), scratch),
                accumulators.Slice(n * pixels * rows, pixels * rows), OutputLayout.ColumnMajor(rows), GemmRange.All(rows, pixels));
    }
}
