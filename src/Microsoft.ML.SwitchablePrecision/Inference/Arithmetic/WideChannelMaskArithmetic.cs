using System.Runtime.InteropServices;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Convolution of 1-bit weights with levels of an image of 17 to 32 channels as bit operations
/// (<see cref="WideChannelMaskConvolution"/>): each image's levels become one 32-bit channel mask per pixel and bit
/// plane in a zero border (one pass over the image, <see cref="WideChannelMasks"/>), and every output pixel ANDs and
/// counts the masks under its taps directly, so no im2col or bit-plane column is built. Exact in integers, written
/// straight into the float accumulators. Layers of up to 16 channels belong to <see cref="ChannelMaskArithmetic"/>.
/// </summary>
internal sealed class WideChannelMaskArithmetic : ConvolutionArithmetic
{
    private readonly WideChannelMaskWeights _weights;
    private readonly WideChannelMaskLayout _layout;

    public WideChannelMaskArithmetic(ConvolutionShape shape, WeightLevels weights, LevelQuantizer input) : base(shape)
    {
        if (!Serves(shape, weights))
            throw new ArgumentException(
                $"wide channel-mask convolution needs 1-bit weights, 1 to {WideChannelMaskLayout.MaxChannels} input channels and a kernel of at most " +
                $"{WideChannelMaskWeights.MaxKernelSize}; the layer has {weights.Bits}-bit weights, {shape.InChannels} channels, kernel {shape.KernelSize}.",
                nameof(shape));
        // Levels Minimum + Spacing * L are Spacing * L - (-Minimum).
        _weights = WideChannelMaskWeights.FromIntegers(weights.Levels, weights.Rows, shape.InChannels, shape.KernelSize,
            weights.Grid.Spacing, -weights.Grid.Minimum);
        _layout = new WideChannelMaskLayout(shape.InChannels, shape.Height, shape.Width, shape.Padding, input.Bits);
        InputForm = ActivationForm.Levels(input);
        OutputScale = weights.Scale * input.Scale;
    }

    /// <summary>True when the kernel can run the layer: 1-bit weights, at most 32 input channels, a kernel of at most 5.</summary>
    public static bool Serves(ConvolutionShape shape, WeightLevels weights) =>
        weights.Bits == 1 && WideChannelMaskWeights.Serves(shape.InChannels, shape.KernelSize);

    /// <summary>
    /// True when the layer's shape is one on which this kernel beat int8 (whole arithmetic: packing plus kernel against
    /// the implicit-im2col int8 GEMM) in docs/kernels.md, "Bit operations on 32-channel layers (32-bit channel masks)", at
    /// <paramref name="planes"/> weight-plane x activation-plane pairs. The measurement was of the AVX-512 variant;
    /// without AVX-512 the int8 kernel keeps the layer.
    /// </summary>
    public static bool MeasuredFasterThanInt8(ConvolutionShape shape, int planes) =>
        KernelSupport.IsSupported(KernelVariant.Avx512) && Array.Exists(MeasuredFaster, region => region.Covers(shape, planes));

    private static readonly FasterRegion[] MeasuredFaster =
    [
        new(MaxPlanes: 2, MaxStride: 2, MinChannels: 32),
        new(MaxPlanes: 1, MaxStride: 1, MinChannels: 24),
    ];

    /// <summary>3x3 layers of up to this many plane pairs and this stride, with at least this many (17 to 32) input channels.</summary>
    private readonly record struct FasterRegion(int MaxPlanes, int MaxStride, int MinChannels)
    {
        public bool Covers(ConvolutionShape shape, int planes) => planes <= MaxPlanes && shape.KernelSize == 3 && shape.Stride <= MaxStride
            && shape.InChannels >= MinChannels && shape.InChannels <= WideChannelMaskLayout.MaxChannels;
    }

    /// <inheritdoc/>
    public override string KernelName => $"32-bit channel-mask bit convolution (1-bit weights x {_layout.Bits} planes)";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; }

    /// <inheritdoc/>
    public override float OutputScale { get; }

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    private int MaskWords => (_layout.Length + 1) / 2;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Words: MaskWords);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int pixels = Shape.OutPixels, rows = Shape.OutChannels;
        var masks = MemoryMarshal.Cast<ulong, uint>(workspace.WordScratch(MaskWords));
        var source = workspace.Levels(input, images);
        for (int n = 0; n < images; n++)
        {
            WideChannelMasks.Pack(_layout, source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), masks);
            WideChannelMaskConvolution.Multiply(_weights, _layout, masks, Shape.Stride, accumulators.Slice(n * pixels * rows, pixels * rows));
        }
    }
}
