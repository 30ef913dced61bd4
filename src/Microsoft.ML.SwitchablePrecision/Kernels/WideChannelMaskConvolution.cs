using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Exact convolution of 1-bit weights with k-bit levels of an image of up to 32 channels, straight from the image's
/// 32-bit bit-plane channel masks (<see cref="WideChannelMaskLayout"/>), as <see cref="ChannelMaskConvolution"/> does
/// for 16: <c>out[p, m] = A sum_b 2^b sum_taps popcount(l_tap[m] &amp; q_b(tap of p)) - B colsum[p]</c> with
/// <c>A = weights.Multiplier</c>, <c>B = weights.Offset</c> and <c>colsum[p]</c> the sum of the levels under the kernel
/// at <c>p</c>; zero padding is the zero border of the masks. The output is channels-last floats
/// <c>[OutPixels, Rows]</c>, each the exact integer sum (far below 2^24). No allocation; every variant gives the same values.
/// </summary>
internal static partial class WideChannelMaskConvolution
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Scalar];

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Output rows of a convolution with <paramref name="kernelSize"/> and <paramref name="stride"/> over <paramref name="layout"/>.</summary>
    public static int OutHeight(WideChannelMaskLayout layout, int kernelSize, int stride) => (layout.PaddedHeight - kernelSize) / stride + 1;

    /// <summary>Output columns of a convolution with <paramref name="kernelSize"/> and <paramref name="stride"/> over <paramref name="layout"/>.</summary>
    public static int OutWidth(WideChannelMaskLayout layout, int kernelSize, int stride) => (layout.PaddedWidth - kernelSize) / stride + 1;

    /// <summary>Computes the convolution of the masks <paramref name="masks"/> into <paramref name="output"/>.</summary>
    public static void Multiply(WideChannelMaskWeights weights, WideChannelMaskLayout layout, ReadOnlySpan<uint> masks, int stride, Span<float> output,
        KernelVariant variant = KernelVariant.Auto)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Channels != layout.Channels)
            throw new ArgumentException($"the layout has {layout.Channels} channels; the weights expect {weights.Channels}.", nameof(layout));
        KernelChecks.Positive(stride, nameof(stride));
        if (layout.PaddedHeight < weights.KernelSize || layout.PaddedWidth < weights.KernelSize)
            throw new ArgumentException(
                $"the padded image is {layout.PaddedHeight}x{layout.PaddedWidth}; the {weights.KernelSize}x{weights.KernelSize} kernel needs at least its size.", nameof(layout));
        if (masks.Length < layout.Length)
            throw new ArgumentException($"masks has {masks.Length} elements; the layout needs {layout.Length}.", nameof(masks));
        int pixels = OutHeight(layout, weights.KernelSize, stride) * OutWidth(layout, weights.KernelSize, stride);
        KernelChecks.Length(output.Length, (long)pixels * weights.Rows, nameof(output), "output pixels x rows");
        switch (KernelSupport.Resolve(variant, nameof(WideChannelMaskConvolution), Preference))
        {
            case KernelVariant.Avx512: MultiplyAvx512(weights, layout, masks, stride, output); break;
            case KernelVariant.Scalar: MultiplyScalar(weights, layout, masks, stride, output); break;
            default: Reference(weights, layout, masks, stride, output); break;
        }
    }

    /// <summary>The definition: every weight times every level under the kernel, one bit at a time.</summary>
    public static void Reference(WideChannelMaskWeights weights, WideChannelMaskLayout layout, ReadOnlySpan<uint> masks, int stride, Span<float> output)
    {
        int size = weights.KernelSize, channels = weights.Channels, rows = weights.Rows;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride);
        for (int oy = 0, p = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++, p++)
                for (int m = 0; m < rows; m++)
                {
                    long sum = 0;
                    for (int k = 0; k < weights.Depth; k++)
                    {
                        int tap = k / channels, c = k % channels, level = 0;
                        for (int b = 0; b < layout.Bits; b++)
                            level |= (int)((masks[layout.Index(b, oy * stride + tap / size, ox * stride + tap % size)] >> c) & 1) << b;
                        sum += (long)(weights.Multiplier * weights.Level(m, k) - weights.Offset) * level;
                    }
                    output[p * rows + m] = sum;
                }
    }

    // The taps' masks of a pixel read once per plane, then one AND and popcount per output row and tap.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyScalar(WideChannelMaskWeights weights, WideChannelMaskLayout layout, ReadOnlySpan<uint> masks, int stride, Span<float> output)
    {
        int size = weights.KernelSize, taps = weights.Taps, rows = weights.Rows, bits = layout.Bits;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride);
        Span<uint> window = stackalloc uint[8 * WideChannelMaskWeights.MaxKernelSize * WideChannelMaskWeights.MaxKernelSize];
        ref uint source = ref MemoryMarshal.GetReference(masks);
        var tapMasks = weights.TapMasks;
        for (int oy = 0, p = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++, p++)
            {
                int columnSum = 0;
                for (int b = 0; b < bits; b++)
                    for (int t = 0; t < taps; t++)
                    {
                        uint word = Unsafe.Add(ref source, layout.Index(b, oy * stride + t / size, ox * stride + t % size));
                        window[b * taps + t] = word;
                        columnSum += BitOperations.PopCount(word) << b;
                    }
                var target = output.Slice(p * rows, rows);
                for (int m = 0; m < rows; m++)
                {
                    var rowTaps = tapMasks.Slice(m * taps, taps);
                    int count = 0;
                    for (int b = bits - 1; b >= 0; b--)
                    {
                        int plane = 0;
                        for (int t = 0; t < taps; t++) plane += BitOperations.PopCount(rowTaps[t] & window[b * taps + t]);
                        count = 2 * count + plane;
                    }
                    target[m] = weights.Multiplier * count - weights.Offset * columnSum;
                }
            }
    }
}
