using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>The geometry of a depthwise convolution (groups = channels, square kernel) on one channels-last image.</summary>
internal readonly record struct DepthwiseShape(int Channels, int Height, int Width, int KernelSize, int Stride, int Padding)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (Height + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (Width + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Output pixels of one image.</summary>
    public int OutPixels => OutHeight * OutWidth;

    /// <summary>Values of one input image.</summary>
    public int InputPerImage => Height * Width * Channels;

    /// <summary>Values of one output image.</summary>
    public int OutputPerImage => OutPixels * Channels;

    /// <summary>Kernel taps.</summary>
    public int Taps => KernelSize * KernelSize;
}

/// <summary>
/// Depthwise convolution of one channels-last float image: <c>out[p, c] = sum_t w[t, c] x[tap t of p, c]</c>, taps in
/// row-major order, padding taps skipped (they add zero). Weights are tap-major <c>[Taps, Channels]</c>, so a tap of a
/// pixel is one contiguous run of channels for both operands. Each output is one multiply and one add per tap, never
/// fused, in tap order in every variant, so all variants give the same bits; integer operands (levels below 256 times
/// weight levels of magnitude at most 255, nine taps) stay below 2^24 and are summed exactly. The layer reads each
/// input value Taps / Stride^2 times and does only Taps multiply-adds per output: it is bound by memory, not arithmetic.
/// </summary>
internal static class DepthwiseConvolution
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2, KernelVariant.Scalar];

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Writes <paramref name="output"/> <c>[OutPixels, Channels]</c> of one <paramref name="image"/> <c>[Height, Width, Channels]</c>.</summary>
    public static void Convolve(DepthwiseShape shape, ReadOnlySpan<float> image, ReadOnlySpan<float> weights, Span<float> output,
        KernelVariant variant = KernelVariant.Auto)
    {
        if (image.Length < shape.InputPerImage || weights.Length != shape.Taps * shape.Channels || output.Length < shape.OutputPerImage)
            throw new ArgumentException(
                $"depthwise {shape}: image {image.Length} (expected {shape.InputPerImage}), weights {weights.Length} (expected {shape.Taps * shape.Channels}), output {output.Length} (expected {shape.OutputPerImage}).");
        switch (KernelSupport.Resolve(variant, nameof(DepthwiseConvolution), Preference))
        {
            case KernelVariant.Avx512: Tiled<Vector512<float>>(shape, image, weights, output); break;
            case KernelVariant.Avx2: Tiled<Vector256<float>>(shape, image, weights, output); break;
            case KernelVariant.Scalar: Tiled<float>(shape, image, weights, output); break;
            default: Reference(shape, image, weights, output); break;
        }
    }

    /// <summary>Activation levels as floats (exact), for <see cref="Convolve"/> on levels.</summary>
    public static void Widen(ReadOnlySpan<byte> levels, Span<float> values)
    {
        if (values.Length < levels.Length) throw new ArgumentException($"{values.Length} floats cannot hold {levels.Length} levels.", nameof(values));
        int i = 0;
        if (Vector256.IsHardwareAccelerated && KernelSupport.VectorsAllowed)
        {
            ref byte source = ref MemoryMarshal.GetReference(levels);
            ref float target = ref MemoryMarshal.GetReference(values);
            for (; i + 16 <= levels.Length; i += 16)
            {
                var words = Vector256.WidenLower(Vector128.LoadUnsafe(ref source, (nuint)i).ToVector256Unsafe());
                Vector256.ConvertToSingle(Vector256.WidenLower(words).AsInt32()).StoreUnsafe(ref target, (nuint)i);
                Vector256.ConvertToSingle(Vector256.WidenUpper(words).AsInt32()).StoreUnsafe(ref target, (nuint)(i + 8));
            }
        }
        for (; i < levels.Length; i++) values[i] = levels[i];
    }

    /// <summary>The definition: one channel and one output at a time, taps in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(DepthwiseShape shape, ReadOnlySpan<float> image, ReadOnlySpan<float> weights, Span<float> output)
    {
        int channels = shape.Channels, k = shape.KernelSize;
        for (int oh = 0; oh < shape.OutHeight; oh++)
            for (int ow = 0; ow < shape.OutWidth; ow++)
                for (int c = 0; c < channels; c++)
                {
                    float sum = 0;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                        {
                            int ih = oh * shape.Stride - shape.Padding + i, iw = ow * shape.Stride - shape.Padding + j;
                            if ((uint)ih >= (uint)shape.Height || (uint)iw >= (uint)shape.Width) continue;
                            float product = weights[(i * k + j) * channels + c] * image[(ih * shape.Width + iw) * channels + c];
                            sum += product;
                        }
                    output[(oh * shape.OutWidth + ow) * channels + c] = sum;
                }
    }

    // Per output pixel: the output row is the accumulator, each inside tap adds weight row * input row over the
    // channels, a vector of channels at a time (TVector is float for the portable loop).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiled<TVector>(DepthwiseShape shape, ReadOnlySpan<float> image, ReadOnlySpan<float> weights, Span<float> output)
    {
        int channels = shape.Channels, k = shape.KernelSize;
        ref float input = ref MemoryMarshal.GetReference(image);
        ref float weight = ref MemoryMarshal.GetReference(weights);
        ref float target = ref MemoryMarshal.GetReference(output);
        for (int oh = 0; oh < shape.OutHeight; oh++)
            for (int ow = 0; ow < shape.OutWidth; ow++)
            {
                ref float sums = ref Unsafe.Add(ref target, (oh * shape.OutWidth + ow) * channels);
                bool first = true;
                for (int i = 0; i < k; i++)
                {
                    int ih = oh * shape.Stride - shape.Padding + i;
                    if ((uint)ih >= (uint)shape.Height) continue;
                    for (int j = 0; j < k; j++)
                    {
                        int iw = ow * shape.Stride - shape.Padding + j;
                        if ((uint)iw >= (uint)shape.Width) continue;
                        ref float x = ref Unsafe.Add(ref input, (ih * shape.Width + iw) * channels);
                        ref float w = ref Unsafe.Add(ref weight, (i * k + j) * channels);
                        AddProducts<TVector>(ref sums, ref w, ref x, channels, first);
                        first = false;
                    }
                }
                if (first) MemoryMarshal.CreateSpan(ref sums, channels).Clear();
            }
    }

    // sums[c] = (first ? 0 : sums[c]) + w[c] * x[c]: a product rounded, then the sum rounded (0 + p is p exactly).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddProducts<TVector>(ref float sums, ref float w, ref float x, int channels, bool first)
    {
        int c = 0;
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            for (; c + Vector512<float>.Count <= channels; c += Vector512<float>.Count)
            {
                var product = Vector512.LoadUnsafe(ref w, (nuint)c) * Vector512.LoadUnsafe(ref x, (nuint)c);
                (first ? product : Vector512.LoadUnsafe(ref sums, (nuint)c) + product).StoreUnsafe(ref sums, (nuint)c);
            }
        }
        if (typeof(TVector) == typeof(Vector512<float>) || typeof(TVector) == typeof(Vector256<float>))
        {
            for (; c + Vector256<float>.Count <= channels; c += Vector256<float>.Count)
            {
                var product = Vector256.LoadUnsafe(ref w, (nuint)c) * Vector256.LoadUnsafe(ref x, (nuint)c);
                (first ? product : Vector256.LoadUnsafe(ref sums, (nuint)c) + product).StoreUnsafe(ref sums, (nuint)c);
            }
        }
        for (; c < channels; c++)
        {
            float product = Unsafe.Add(ref w, c) * Unsafe.Add(ref x, c);
            Unsafe.Add(ref sums, c) = first ? product : Unsafe.Add(ref sums, c) + product;
        }
    }
}
