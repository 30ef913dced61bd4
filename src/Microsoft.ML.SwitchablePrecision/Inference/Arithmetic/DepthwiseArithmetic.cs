using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// A depthwise convolution (groups = channels, <see cref="DepthwiseConvolution"/>): no im2col, each channel convolved
/// with its own k x k filter. With quantized weights and input levels it multiplies the integer levels (exact: the sums
/// stay below 2^24) and <see cref="OutputScale"/> is the weight scale times the activation scale; otherwise it multiplies
/// the weights' float values (full precision, or the quantized values) with the float input form.
/// </summary>
internal sealed class DepthwiseArithmetic : ConvolutionArithmetic
{
    private readonly float[] _weights;
    private readonly bool _levels;

    /// <param name="shape">The geometry, <c>OutChannels == InChannels</c>.</param>
    /// <param name="weights">The weights <c>[channels, k * k]</c> at the switch.</param>
    /// <param name="input">What the layer's input quantizer makes of its input.</param>
    public DepthwiseArithmetic(ConvolutionShape shape, WeightLevels weights, ActivationForm input) : base(shape)
    {
        int taps = shape.KernelSize * shape.KernelSize;
        if (shape.OutChannels != shape.InChannels || weights.Rows != shape.InChannels || weights.Depth != taps)
            throw new ArgumentException(
                $"A depthwise convolution maps {shape.InChannels} channels to as many with [{shape.InChannels}, {taps}] weights; got {shape.OutChannels} outputs and [{weights.Rows}, {weights.Depth}] weights.",
                nameof(weights));
        _levels = input.IsLevels && !weights.IsFullPrecision;
        _weights = new float[weights.Rows * taps];
        for (int c = 0; c < weights.Rows; c++)
            for (int t = 0; t < taps; t++)
                _weights[t * weights.Rows + c] = _levels ? weights.Levels[c * taps + t] : weights.Values[c * taps + t];
        InputForm = _levels || !input.IsLevels ? input : ActivationForm.Dequantized(input.Quantizer!);
        OutputScale = _levels ? weights.Scale * input.Quantizer!.Scale : 1f;
    }

    /// <summary>The kernel's geometry.</summary>
    public DepthwiseShape Geometry => new(Shape.InChannels, Shape.Height, Shape.Width, Shape.KernelSize, Shape.Stride, Shape.Padding);

    /// <inheritdoc/>
    public override string KernelName => _levels ? "depthwise (integer levels)" : "depthwise float32";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; }

    /// <inheritdoc/>
    public override float OutputScale { get; }

    /// <inheritdoc/>
    public override long PackedWeightBytes => (long)_weights.Length * sizeof(float);

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => default;

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        var geometry = Geometry;
        int inputLength = geometry.InputPerImage, outputLength = geometry.OutputPerImage;
        if (_levels)
        {
            var levels = workspace.Levels(input, images);
            for (int n = 0; n < images; n++)
                DepthwiseConvolution.Convolve(geometry, levels.Slice(n * inputLength, inputLength), _weights, accumulators.Slice(n * outputLength, outputLength));
            return;
        }
        var floats = workspace.Floats(input, images);
        for (int n = 0; n < images; n++)
            DepthwiseConvolution.Convolve(geometry, floats.Slice(n * inputLength, inputLength), _weights, accumulators.Slice(n * outputLength, outputLength));
    }
}
