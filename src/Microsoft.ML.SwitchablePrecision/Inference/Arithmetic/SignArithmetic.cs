using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// BinaryConnect (1-bit weights, float activations): <see cref="SignAccumulateGemm"/> adds or subtracts each float
/// input by its weight's sign bit, and the layer scale is applied once in the output stage.
/// </summary>
internal sealed class SignArithmetic(ConvolutionShape shape, WeightLevels weights, ActivationForm inputForm)
    : ConvolutionArithmetic(shape)
{
    private readonly SignWeights _weights = SignWeights.FromSigns(weights.Values, weights.Rows, weights.Depth);

    /// <inheritdoc/>
    public override string KernelName => "sign-accumulate GEMM";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; } = inputForm;

    /// <inheritdoc/>
    public override float OutputScale { get; } = weights.Scale;

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Floats: (long)images * Shape.OutPixels * Shape.Depth);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int depth = Shape.Depth, columns = images * Shape.OutPixels;
        var im2col = workspace.FloatScratch(columns * depth);
        FloatArithmetic.FloatColumnsOf(Shape, workspace.Floats(input, images), images, im2col);
        SignAccumulateGemm.Multiply(_weights, new FloatColumns(im2col, columns, depth, depth), accumulators,
            OutputLayout.ColumnMajor(Shape.OutChannels), GemmRange.All(Shape.OutChannels, columns));
    }
}
