using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Depthwise convolution of one channels-last image: <c>out[p, c] = sum_t w[t, c] x[tap t of p, c]</c>, taps in
/// row-major order, padding taps skipped (they add zero). Weights are tap-major <c>[Taps, Channels]</c>, so a tap of a
/// pixel is one contiguous run of channels for both operands. The input is floats or activation levels (bytes, widened
/// to floats as they are read, which is exact). Each output is one multiply and one add per tap, never fused, in tap
/// order in every variant, so all variants give the same bits; integer operands (levels below 256 times weight levels
/// of magnitude at most 255, nine taps) stay below 2^24 and are summed exactly. The layer reads each input value
/// Taps / Stride^2 times and does only Taps multiply-adds per output: it is bound by memory, not arithmetic.
/// </summary>
internal static partial class DepthwiseConvolution
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2, KernelVariant.Scalar];

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Writes <paramref name="output"/> <c>[OutPixels, Channels]</c> of one <paramref name="image"/> <c>[Height, Width, Channels]</c>.</summary>
    public static void Convolve(DepthwiseShape shape, ReadOnlySpan<float> image, ReadOnlySpan<float> weights, Span<float> output,
        KernelVariant variant = KernelVariant.Auto) =>
        ConvolveRows(shape, image, weights, 0, shape.OutHeight, output, variant);

    /// <summary>
    /// Writes output rows <c>[firstRow, firstRow + rows)</c> of one <paramref name="image"/> into <paramref name="output"/>
    /// <c>[rows * OutWidth, Channels]</c> (so a caller can consume a few rows while they are in cache).
    /// </summary>
    public static void ConvolveRows(DepthwiseShape shape, ReadOnlySpan<float> image, ReadOnlySpan<float> weights, int firstRow, int rows,
        Span<float> output, KernelVariant variant = KernelVariant.Auto)
    {
        Check(shape, image.Length, weights.Length, firstRow, rows, output.Length);
        switch (KernelSupport.Resolve(variant, nameof(DepthwiseConvolution), Preference))
        {
            case KernelVariant.Avx512: Rows<System.Runtime.Intrinsics.Vector512<float>, float>(shape, image, weights, firstRow, rows, output); break;
            case KernelVariant.Avx2: Rows<System.Runtime.Intrinsics.Vector256<float>, float>(shape, image, weights, firstRow, rows, output); break;
            case KernelVariant.Scalar: Rows<float, float>(shape, image, weights, firstRow, rows, output); break;
            default: ReferenceRows(shape, image, weights, firstRow, rows, output); break;
        }
    }

    /// <summary>Writes <paramref name="output"/> <c>[OutPixels, Channels]</c> of one image of activation <paramref name="levels"/>.</summary>
    public static void Convolve(DepthwiseShape shape, ReadOnlySpan<byte> levels, ReadOnlySpan<float> weights, Span<float> output,
        KernelVariant variant = KernelVariant.Auto) =>
        ConvolveRows(shape, levels, weights, 0, shape.OutHeight, output, variant);

    /// <summary>Output rows <c>[firstRow, firstRow + rows)</c> of one image of activation <paramref name="levels"/>, as the float overload.</summary>
    public static void ConvolveRows(DepthwiseShape shape, ReadOnlySpan<byte> levels, ReadOnlySpan<float> weights, int firstRow, int rows,
        Span<float> output, KernelVariant variant = KernelVariant.Auto)
    {
        Check(shape, levels.Length, weights.Length, firstRow, rows, output.Length);
        switch (KernelSupport.Resolve(variant, nameof(DepthwiseConvolution), Preference))
        {
            case KernelVariant.Avx512: Rows<System.Runtime.Intrinsics.Vector512<float>, byte>(shape, levels, weights, firstRow, rows, output); break;
            case KernelVariant.Avx2: Rows<System.Runtime.Intrinsics.Vector256<float>, byte>(shape, levels, weights, firstRow, rows, output); break;
            case KernelVariant.Scalar: Rows<float, byte>(shape, levels, weights, firstRow, rows, output); break;
            default: ReferenceRows(shape, levels, weights, firstRow, rows, output); break;
        }
    }

    /// <summary>The definition: one channel and one output at a time, taps in order.</summary>
    public static void Reference(DepthwiseShape shape, ReadOnlySpan<float> image, ReadOnlySpan<float> weights, Span<float> output) =>
        ReferenceRows(shape, image, weights, 0, shape.OutHeight, output);

    /// <summary>The definition on levels: each level is its float value.</summary>
    public static void Reference(DepthwiseShape shape, ReadOnlySpan<byte> levels, ReadOnlySpan<float> weights, Span<float> output) =>
        ReferenceRows(shape, levels, weights, 0, shape.OutHeight, output);

    private static void ReferenceRows<TInput>(DepthwiseShape shape, ReadOnlySpan<TInput> image, ReadOnlySpan<float> weights, int firstRow, int rows,
        Span<float> output)
        where TInput : unmanaged
    {
        int channels = shape.Channels, k = shape.KernelSize;
        for (int oh = firstRow; oh < firstRow + rows; oh++)
            for (int ow = 0; ow < shape.OutWidth; ow++)
                for (int c = 0; c < channels; c++)
                {
                    float sum = 0;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                        {
                            int ih = oh * shape.Stride - shape.Padding + i, iw = ow * shape.Stride - shape.Padding + j;
                            if ((uint)ih >= (uint)shape.Height || (uint)iw >= (uint)shape.Width) continue;
                            float product = weights[(i * k + j) * channels + c] * ValueOf(image[(ih * shape.Width + iw) * channels + c]);
                            sum += product;
                        }
                    output[((oh - firstRow) * shape.OutWidth + ow) * channels + c] = sum;
                }
    }

    private static float ValueOf<TInput>(TInput x) where TInput : unmanaged =>
        typeof(TInput) == typeof(byte) ? Unsafe.As<TInput, byte>(ref x) : Unsafe.As<TInput, float>(ref x);

    private static void Check(DepthwiseShape shape, int imageLength, int weightsLength, int firstRow, int rows, int outputLength)
    {
        if (imageLength < shape.InputPerImage || weightsLength != shape.Taps * shape.Channels || outputLength < rows * shape.OutputPerRow
            || firstRow < 0 || rows < 0 || firstRow + rows > shape.OutHeight)
            throw new ArgumentException(
                $"depthwise {shape}: image {imageLength} (expected {shape.InputPerImage}), weights {weightsLength} (expected {shape.Taps * shape.Channels}), " +
                $"output rows {firstRow}..{firstRow + rows} of {shape.OutHeight} into {outputLength} (expected {rows * shape.OutputPerRow}).");
    }
}
