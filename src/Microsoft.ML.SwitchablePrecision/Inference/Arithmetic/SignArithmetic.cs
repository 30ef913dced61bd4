using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// BinaryConnect (1-bit weights, float activations), the weights held as sign bits: <see cref="SignPanelGemm"/>
/// expands each 16-row block's signs into a <c>±1</c> panel in scratch and runs the float microkernel on it (where a
/// vector variant runs); <see cref="SignAccumulateGemm"/> (adds or subtracts each input by its sign bit) is the
/// portable path. Both give the same bits. The layer scale is applied once in the output stage. The taps are read
/// straight from a zero-bordered copy of each image (<see cref="PaddedFloatTaps"/>, no im2col buffer).
/// </summary>
internal sealed class SignArithmetic(ConvolutionShape shape, WeightLevels weights, ActivationForm inputForm)
    : ConvolutionArithmetic(shape)
{
    private readonly SignWeights _weights = SignWeights.FromSigns(weights.Values, weights.Rows, weights.Depth);

    /// <inheritdoc/>
    public override string KernelName => SignPanelGemm.Vectorised ? "sign-panel GEMM" : "sign-accumulate GEMM";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; } = inputForm;

    /// <inheritdoc/>
    public override float OutputScale { get; } = weights.Scale;

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    private readonly PaddedFloatTaps _taps = new(shape);

    // The padded image, then the sign panel.
    private int ScratchFloats => _taps.PaddedLength + SignPanelGemm.PanelLength(_weights.Depth);

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Floats: ScratchFloats);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        var source = workspace.Floats(input, images);
        var scratch = workspace.FloatScratch(ScratchFloats);
        var padded = scratch[.._taps.PaddedLength];
        var panel = scratch[_taps.PaddedLength..];
        int pixels = Shape.OutPixels, rows = Shape.OutChannels;
        // Auto: the vector panel kernel, or SignAccumulateGemm's portable path where no vector variant runs.
        // A pointwise layer (MobileNetV2's expansions and projections) reads its input as it lies.
        if (Shape.IsPointwise)
        {
            // The images' channels-last pixels are already dense columns: one call, one expansion per row block for all of them.
            SignPanelGemm.Multiply(_weights, new FloatColumns(source, images * pixels, Shape.InChannels, Shape.Depth),
                accumulators[..(images * pixels * rows)], OutputLayout.ColumnMajor(rows), GemmRange.All(rows, images * pixels), panel);
            return;
        }
        for (int n = 0; n < images; n++)
            SignPanelGemm.Multiply(_weights, _taps.Columns(source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), padded),
                accumulators.Slice(n * pixels * rows, pixels * rows), OutputLayout.ColumnMajor(rows), GemmRange.All(rows, pixels), panel);
    }
}
