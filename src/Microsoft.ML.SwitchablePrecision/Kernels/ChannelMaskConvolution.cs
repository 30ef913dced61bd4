using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Exact convolution of 1-bit weights with k-bit levels of an image of at most 16, 32 or 64 channels (the mask
/// type's bits), straight from the image's bit-plane channel masks (<see cref="ChannelMaskLayout{TMask}"/>): no im2col
/// or bit-plane column is built.
/// <c>out[p, m] = sum_k (A l[m, k] - B) q[k, p] = A sum_b 2^b sum_taps popcount(l_tap[m] &amp; q_b(tap of p)) - B colsum[p]</c>
/// with <c>A = weights.Multiplier</c>, <c>B = weights.Offset</c> and <c>colsum[p]</c> the sum of the levels under
/// the kernel at <c>p</c>. Zero padding is the zero border of the masks (level 0 adds nothing), so padded sums are
/// exact as well. The output is channels-last floats <c>[OutPixels, Rows]</c>, each the exact integer sum (far
/// below 2^24). No allocation; every variant gives the same values. One code for every mask type: what differs
/// between them is <see cref="ChannelMaskWidth{TMask}"/>, constants of the type the JIT folds.
/// </summary>
internal static partial class ChannelMaskConvolution
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2, KernelVariant.Scalar];

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Output rows of a convolution with <paramref name="kernelSize"/> and <paramref name="stride"/> over <paramref name="layout"/>.</summary>
    public static int OutHeight<TMask>(ChannelMaskLayout<TMask> layout, int kernelSize, int stride)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask> => (layout.PaddedHeight - kernelSize) / stride + 1;

    /// <summary>Output columns of a convolution with <paramref name="kernelSize"/> and <paramref name="stride"/> over <paramref name="layout"/>.</summary>
    public static int OutWidth<TMask>(ChannelMaskLayout<TMask> layout, int kernelSize, int stride)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask> => (layout.PaddedWidth - kernelSize) / stride + 1;

    /// <summary>Computes the convolution of the masks <paramref name="masks"/> into <paramref name="output"/>.</summary>
    public static void Multiply<TMask>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks, int stride,
        Span<float> output, KernelVariant variant = KernelVariant.Auto)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
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
        switch (KernelSupport.Resolve(variant, nameof(ChannelMaskConvolution), Preference))
        {
            case KernelVariant.Avx512: MultiplyAvx512(weights, layout, masks, stride, output, Avx512FormFor<TMask>(weights.KernelSize, layout.Bits)); break;
            case KernelVariant.Avx2: MultiplyAvx2(weights, layout, masks, stride, output); break;
            case KernelVariant.Scalar: MultiplyScalar(weights, layout, masks, stride, output); break;
            default: Reference(weights, layout, masks, stride, output); break;
        }
    }

    /// <summary>The definition: every weight times every level under the kernel, one bit at a time.</summary>
    public static void Reference<TMask>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks, int stride,
        Span<float> output)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
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
                            level |= (int)((ChannelMaskWidth<TMask>.Word(masks[layout.Index(b, oy * stride + tap / size, ox * stride + tap % size)]) >> c) & 1) << b;
                        sum += (long)(weights.Multiplier * weights.Level(m, k) - weights.Offset) * level;
                    }
                    output[p * rows + m] = sum;
                }
    }

    // A kernel row of masks is contiguous in the padded image: per plane and kernel row its 64-bit words are read
    // once, then one AND and popcount per output row and word.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyScalar<TMask>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks, int stride,
        Span<float> output)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        int size = weights.KernelSize, rows = weights.Rows, bits = layout.Bits, words = weights.WordsPerKernelRow;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride), planeWords = size * words;
        ulong lastBits = weights.LastWordBits;
        // 8 planes x 5 kernel rows x at most 5 words (a row of 64-bit masks).
        Span<ulong> window = stackalloc ulong[8 * 5 * 5];
        ref TMask source = ref MemoryMarshal.GetReference(masks);
        var rowWords = weights.RowWords;
        for (int oy = 0, p = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++, p++)
            {
                int columnSum = 0;
                for (int b = 0; b < bits; b++)
                    for (int i = 0; i < size; i++)
                    {
                        ref byte row = ref Unsafe.As<TMask, byte>(ref Unsafe.Add(ref source, layout.Index(b, oy * stride + i, ox * stride)));
                        for (int w = 0; w < words; w++)
                        {
                            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref row, 8 * w));
                            if (w == words - 1) word &= lastBits;
                            window[b * planeWords + i * words + w] = word;
                            columnSum += BitOperations.PopCount(word) << b;
                        }
                    }
                var target = output.Slice(p * rows, rows);
                for (int m = 0; m < rows; m++)
                {
                    var weightRows = rowWords.Slice(m * planeWords, planeWords);
                    int count = 0;
                    for (int b = bits - 1; b >= 0; b--)
                    {
                        int plane = 0;
                        for (int i = 0; i < planeWords; i++) plane += BitOperations.PopCount(weightRows[i] & window[b * planeWords + i]);
                        count = 2 * count + plane;
                    }
                    target[m] = weights.Multiplier * count - weights.Offset * columnSum;
                }
            }
    }
}
