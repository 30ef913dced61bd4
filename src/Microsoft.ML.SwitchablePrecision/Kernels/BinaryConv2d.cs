using System.Numerics;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// A convolution with 1-bit DoReFa weights on k-bit DoReFa activation levels, computed exactly with bit operations.
/// Input: NCHW levels <c>q in 0..2^k - 1</c> (the activation is <c>q / (2^k - 1)</c>); output: NCHW float32
/// <c>Scale / (2^k - 1) * sum w q</c>, which equals <c>conv2d(q / n, w_q)</c> up to float rounding. Zero padding is
/// level 0, which is exact. The input is first turned into per-pixel channel bit masks per plane, then im2col copies
/// those masks straight into packed bit-plane columns (no float or byte im2col), then <see cref="BinaryGemm"/> runs
/// image by image. Buffers are kept between calls and reallocated only when the shape or bit width changes, so an
/// instance is not thread-safe.
/// </summary>
internal sealed class BinaryConv2d
{
    private ulong[] _pixelPlanes = [];
    private byte[] _channelsLast = [];
    private int[] _integers = [];
    private PackedBitPlanes? _columns;

    /// <summary>Packs the latent float weights <c>[outChannels, inChannels, kernelHeight, kernelWidth]</c>.</summary>
    public BinaryConv2d(ReadOnlySpan<float> weights, int outChannels, int inChannels, int kernelHeight, int kernelWidth,
        int stride = 1, int padding = 0)
    {
        if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"stride is {stride}; expected at least 1.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding is {padding}; expected 0 or more.");
        Weights = PackedBinaryWeights.FromConvolution(weights, outChannels, inChannels, kernelHeight, kernelWidth);
        OutChannels = outChannels;
        InChannels = inChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Stride = stride;
        Padding = padding;
    }

    /// <summary>Packed sign bits and scale; K order (kernel row, kernel column, input channel).</summary>
    public PackedBinaryWeights Weights { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Stride in both directions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Output height for an input of <paramref name="height"/> rows.</summary>
    public int OutputHeight(int height) => (height + 2 * Padding - KernelHeight) / Stride + 1;

    /// <summary>Output width for an input of <paramref name="width"/> columns.</summary>
    public int OutputWidth(int width) => (width + 2 * Padding - KernelWidth) / Stride + 1;

    /// <summary>
    /// Float output <c>[batch, OutChannels, OutputHeight, OutputWidth]</c>: the exact integer sums times
    /// <c>Weights.Scale / (2^activationBits - 1)</c>.
    /// </summary>
    public void Forward(ReadOnlySpan<byte> levels, int batch, int height, int width, int activationBits, Span<float> output)
    {
        int outputPerImage = CheckShapes(levels, batch, height, width, activationBits, output.Length);
        if (_integers.Length != outputPerImage) _integers = new int[outputPerImage];
        float scale = Weights.Scale / UniformLevels.Steps(activationBits);
        int inputPerImage = InChannels * height * width;
        for (int n = 0; n < batch; n++)
        {
            ConvolveImage(levels.Slice(n * inputPerImage, inputPerImage), height, width, activationBits, _integers);
            Scale(_integers, scale, output.Slice(n * outputPerImage, outputPerImage));
        }
    }

    private static void Scale(ReadOnlySpan<int> integers, float scale, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var factor = new Vector<float>(scale);
            for (; i <= integers.Length - Vector<int>.Count; i += Vector<int>.Count)
                (Vector.ConvertToSingle(new Vector<int>(integers[i..])) * factor).CopyTo(destination[i..]);
        }
        for (; i < integers.Length; i++) destination[i] = integers[i] * scale;
    }

    /// <summary>The exact integer sums <c>sum w q</c> with <c>w in {-1, +1}</c>, same layout as <see cref="Forward"/>.</summary>
    public void ForwardIntegers(ReadOnlySpan<byte> levels, int batch, int height, int width, int activationBits, Span<int> output)
    {
        int outputPerImage = CheckShapes(levels, batch, height, width, activationBits, output.Length);
        int inputPerImage = InChannels * height * width;
        for (int n = 0; n < batch; n++)
            ConvolveImage(levels.Slice(n * inputPerImage, inputPerImage), height, width, activationBits,
                output.Slice(n * outputPerImage, outputPerImage));
    }

    private int CheckShapes(ReadOnlySpan<byte> levels, int batch, int height, int width, int bits, int outputCount)
    {
        ActivationLevels.CheckBits(bits, "activationBits");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch is {batch}; expected at least 1.");
        if (height + 2 * Padding < KernelHeight || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), height,
                $"height is {height}; expected at least {Math.Max(1, KernelHeight - 2 * Padding)} for a {KernelHeight}-row kernel with padding {Padding}.");
        if (width + 2 * Padding < KernelWidth || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), width,
                $"width is {width}; expected at least {Math.Max(1, KernelWidth - 2 * Padding)} for a {KernelWidth}-column kernel with padding {Padding}.");
        long expectedInput = (long)batch * InChannels * height * width;
        if (levels.Length != expectedInput)
            throw new ArgumentException(
                $"levels has {levels.Length} elements; expected batch * inChannels * height * width = {expectedInput}.", "levels");
        int outputPerImage = OutChannels * OutputHeight(height) * OutputWidth(width);
        long expectedOutput = (long)batch * outputPerImage;
        if (outputCount != expectedOutput)
            throw new ArgumentException(
                $"output has {outputCount} elements; expected batch * outChannels * outputHeight * outputWidth = {expectedOutput}.", "output");
        ActivationLevels.CheckRange(levels, bits, "levels");
        return outputPerImage;
    }

    private void ConvolveImage(ReadOnlySpan<byte> image, int height, int width, int bits, Span<int> output)
    {
        int outputHeight = OutputHeight(height), outputWidth = OutputWidth(width);
        int channelWords = BitRows.WordsFor(InChannels);
        int pixels = height * width;
        int planeWords = bits * pixels * channelWords;
        if (_pixelPlanes.Length < planeWords) _pixelPlanes = new ulong[planeWords];
        _pixelPlanes.AsSpan(0, planeWords).Clear();
        PixelBitPlanes.Pack(image, InChannels, pixels, bits, ref _channelsLast, _pixelPlanes);

        int columnCount = outputHeight * outputWidth;
        if (_columns is null || _columns.Columns != columnCount || _columns.Bits != bits)
            _columns = new PackedBitPlanes(Weights.Depth, columnCount, bits);
        else
            Array.Clear(_columns.Words);
        var geometry = new Im2Col(height, width, outputWidth, KernelHeight, KernelWidth, Stride, Padding, InChannels);
        if (channelWords == 1)
            geometry.PackSingleWordChannels(_pixelPlanes, _columns);
        else
            geometry.PackMultiWordChannels(_pixelPlanes, _columns);
        BinaryGemm.Multiply(Weights, _columns, output);
    }
}
