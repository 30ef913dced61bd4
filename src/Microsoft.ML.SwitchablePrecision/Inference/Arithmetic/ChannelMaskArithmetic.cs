using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Convolution of 1-bit weights with levels of an image of at most 16, 32 or 64 channels (the bits of
/// <typeparamref name="TMask"/>) as bit operations (<see cref="ChannelMaskConvolution"/>): each image's levels become
/// one channel mask per pixel and bit plane in a zero border (one pass over the image, <see cref="ChannelMasks"/>), and
/// every output pixel ANDs and counts the masks under its taps directly, so no im2col or bit-plane column is built.
/// Exact in integers, written straight into the float accumulators.
/// </summary>
/// <typeparam name="TMask"><see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/>.</typeparam>
internal sealed class ChannelMaskArithmetic<TMask> : ConvolutionArithmetic
    where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
{
    private readonly ChannelMaskWeights<TMask> _weights;
    private readonly ChannelMaskLayout<TMask> _layout;

    public ChannelMaskArithmetic(ConvolutionShape shape, WeightLevels weights, LevelQuantizer input) : base(shape)
    {
        if (!Serves(shape, weights))
            throw new ArgumentException(
                $"{ChannelMaskWidth<TMask>.Bits}-bit channel-mask convolution needs 1-bit weights, 1 to {ChannelMaskWidth<TMask>.Bits} input channels and a kernel of at most " +
                $"{ChannelMaskWidth<TMask>.MaxKernelSize}; the layer has {weights.Bits}-bit weights, {shape.InChannels} channels, kernel {shape.KernelSize}.",
                nameof(shape));
        // Levels Minimum + Spacing * L are Spacing * L - (-Minimum).
        _weights = ChannelMaskWeights<TMask>.FromIntegers(weights.Levels, weights.Rows, shape.InChannels, shape.KernelSize,
            weights.Grid.Spacing, -weights.Grid.Minimum);
        _layout = new ChannelMaskLayout<TMask>(shape.InChannels, shape.Height, shape.Width, shape.Padding, input.Bits);
        InputForm = ActivationForm.Levels(input);
        OutputScale = weights.Scale * input.Scale;
    }

    /// <summary>True when the kernel can run the layer: 1-bit weights, at most the mask's bits of input channels, a kernel of at most its maximum.</summary>
    public static bool Serves(ConvolutionShape shape, WeightLevels weights) =>
        weights.Bits == 1 && ChannelMaskWeights<TMask>.Serves(shape.InChannels, shape.KernelSize);

    /// <summary>
    /// True when the layer's shape is one on which this kernel, in the variant this CPU runs
    /// (<see cref="MeasuredFasterThanInt8(ConvolutionShape, int, KernelVariant)"/>), beat the kernel the plans ran before it.
    /// </summary>
    public static bool MeasuredFasterThanInt8(ConvolutionShape shape, int planes) =>
        MeasuredFasterThanInt8(shape, planes, KernelSupport.Fastest(ChannelMaskConvolution.Preference));

    /// <summary>
    /// True when the layer's shape is one on which <paramref name="variant"/> of this kernel beat the kernel the plans
    /// ran before it (whole arithmetic: packing plus kernel) in docs/kernels.md at <paramref name="planes"/>
    /// weight-plane x activation-plane pairs. AVX-512: against int8 for 16-bit masks ("Bit operations for 16-channel
    /// layers") and 32-bit masks ("Bit operations on 32-channel layers"), and against the kernel the selection picked
    /// before (the bit-serial GEMM at W1A1, int8 at W1A2) for 64-bit masks ("One channel-mask convolution over the mask
    /// width"). AVX2: against the same kernels on an AVX2-only CPU ("AVX2 channel masks (issue 13)"). The scalar
    /// variant was never measured faster, so without AVX2 the other kernels keep the layer.
    /// </summary>
    public static bool MeasuredFasterThanInt8(ConvolutionShape shape, int planes, KernelVariant variant) =>
        Array.Exists(MeasuredFaster(variant), region => region.Covers(shape, planes));

    private static FasterRegion[] MeasuredFaster(KernelVariant variant) => (variant, ChannelMaskWidth<TMask>.Bits) switch
    {
        (KernelVariant.Avx512, 16) => SixteenBit,
        (KernelVariant.Avx512, 32) => ThirtyTwoBit,
        (KernelVariant.Avx512, _) => SixtyFourBit,
        (KernelVariant.Avx2, 16) => SixteenBitAvx2,
        // AVX2 32-bit masks: 1.6-3.2x int8 on the 24-32-channel layers of the AVX-512 region and every ResNet-20 plan layer.
        (KernelVariant.Avx2, 32) => ThirtyTwoBit,
        // AVX2 64-bit masks: 1.4-3.0x int8 (W1A2), 1.3-3.2x the bit-serial GEMM (W1A1) on the ResNet-20 and -18 plan layers.
        (KernelVariant.Avx2, _) => SixtyFourBit,
        _ => [],
    };

    private static readonly FasterRegion[] SixteenBit =
    [
        new(MaxPlanes: 1, MaxStride: 2, MinChannels: 16),
        new(MaxPlanes: 2, MaxStride: 1, MinChannels: 16),
        new(MaxPlanes: 1, MaxStride: 1, MinChannels: 8),
    ];

    private static readonly FasterRegion[] ThirtyTwoBit =
    [
        new(MaxPlanes: 2, MaxStride: 2, MinChannels: 32),
        new(MaxPlanes: 1, MaxStride: 1, MinChannels: 24),
    ];

    // Ahead of the bit-serial GEMM (W1A1) and of int8 (W1A2) on every 64-channel 3x3 layer of ResNet-20 and ResNet-18.
    private static readonly FasterRegion[] SixtyFourBit = [new(MaxPlanes: 2, MaxStride: 2, MinChannels: 64)];

    // AVX2, measured on an AVX2-only AMD EPYC (Zen 3): as with AVX-512 on 16-channel layers, but not on 8-channel ones
    // (0.95x int8 at 1 bit).
    private static readonly FasterRegion[] SixteenBitAvx2 =
    [
        new(MaxPlanes: 1, MaxStride: 2, MinChannels: 16),
        new(MaxPlanes: 2, MaxStride: 1, MinChannels: 16),
    ];

    /// <summary>3x3 layers of up to this many plane pairs and this stride, with at least this many (and at most the mask's bits) input channels.</summary>
    private readonly record struct FasterRegion(int MaxPlanes, int MaxStride, int MinChannels)
    {
        public bool Covers(ConvolutionShape shape, int planes) => planes <= MaxPlanes && shape.KernelSize == 3 && shape.Stride <= MaxStride
            && shape.InChannels >= MinChannels && shape.InChannels <= ChannelMaskWidth<TMask>.Bits;
    }

    /// <inheritdoc/>
    public override string KernelName => $"{ChannelMaskWidth<TMask>.Bits}-bit channel-mask bit convolution (1-bit weights x {_layout.Bits} planes)";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; }

    /// <inheritdoc/>
    public override float OutputScale { get; }

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Words: _layout.WordLength);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int pixels = Shape.OutPixels, rows = Shape.OutChannels;
        var masks = MemoryMarshal.Cast<ulong, TMask>(workspace.WordScratch(_layout.WordLength));
        var source = workspace.Levels(input, images);
        for (int n = 0; n < images; n++)
        {
            ChannelMasks.Pack(_layout, source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), masks);
            ChannelMaskConvolution.Multiply(_weights, _layout, masks, Shape.Stride, accumulators.Slice(n * pixels * rows, pixels * rows));
        }
    }
}
