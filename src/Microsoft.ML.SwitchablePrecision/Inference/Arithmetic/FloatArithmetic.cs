using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Float32 convolution (<see cref="FloatGemm"/>): float im2col columns times the weights' float values (full-precision
/// weights, or quantized weights' values where no integer kernel serves the switch). The input is read in
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

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Floats: (long)images * Shape.OutPixels * Shape.Depth);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int depth = Shape.Depth, columns = images * Shape.OutPixels;
        var im2col = workspace.FloatScratch(columns * depth);
        FloatColumnsOf(Shape, workspace.Floats(input, images), images, im2col);
        FloatGemm.Multiply(_weights, new FloatColumns(im2col, columns, depth, depth), accumulators,
            OutputLayout.ColumnMajor(Shape.OutChannels), GemmRange.All(Shape.OutChannels, columns));
    }

    /// <summary>im2col of every image of a channels-last float slot into <paramref name="columns"/> of <c>Depth</c> floats.</summary>
    internal static void FloatColumnsOf(ConvolutionShape shape, ReadOnlySpan<float> source, int images, Span<float> columns)
    {
        int pixels = shape.OutPixels, depth = shape.Depth;
        if (shape.KernelSize == 1 && shape.Stride == 1 && shape.Padding == 0)
        {
            source.CopyTo(columns);
            return;
        }
        for (int n = 0; n < images; n++)
            shape.Im2Col(source.Slice(n * shape.InputPerImage, shape.InputPerImage), 0, pixels, columns.Slice(n * pixels * depth), depth, 0f);
    }
}
