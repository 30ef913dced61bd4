using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>The optimised variants of <see cref="DepthwiseConvolution"/> (TVector is float for the portable loop).</summary>
internal static partial class DepthwiseConvolution
{
    // Per output row: the pixels whose 3x3 window lies inside the image run a block of channels at a time with the
    // block's nine weight vectors in registers and the sum in a register, one store per pixel; the border pixels (and
    // other kernel sizes, and the portable loop) run per pixel with the output row as the accumulator. Both add the
    // products in tap order, starting from the first inside tap's product, so they give the same bits.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TVector, TInput>(DepthwiseShape shape, ReadOnlySpan<TInput> image, ReadOnlySpan<float> weights, int firstRow, int rows,
        Span<float> output)
        where TInput : unmanaged
    {
        int channels = shape.Channels, outWidth = shape.OutWidth, stride = shape.Stride, padding = shape.Padding;
        ref TInput input = ref MemoryMarshal.GetReference(image);
        ref float weight = ref MemoryMarshal.GetReference(weights);
        ref float target = ref MemoryMarshal.GetReference(output);
        bool registers = shape.KernelSize == 3 && typeof(TVector) != typeof(float);
        // Columns ow whose window starts at ow * stride - padding >= 0 and ends inside the width.
        int insideFirst = Math.Min(outWidth, (padding + stride - 1) / stride);
        int insideEnd = Math.Max(insideFirst, shape.Width >= 3 ? Math.Min(outWidth, (shape.Width - 3 + padding) / stride + 1) : 0);
        for (int oh = firstRow; oh < firstRow + rows; oh++)
        {
            ref float rowSums = ref Unsafe.Add(ref target, (oh - firstRow) * shape.OutputPerRow);
            int ih = oh * stride - padding;
            bool insideRow = registers && ih >= 0 && ih + 3 <= shape.Height;
            int first = insideRow ? insideFirst : outWidth, end = insideRow ? insideEnd : outWidth;
            for (int ow = 0; ow < first; ow++) Pixel<TVector, TInput>(shape, ref input, ref weight, ref rowSums, oh, ow, 0);
            if (first < end)
            {
                int done = typeof(TVector) == typeof(Vector512<float>)
                    ? Inside512(shape, ref input, ref weight, ref rowSums, ih, first, end)
                    : Inside256(shape, ref input, ref weight, ref rowSums, ih, first, end, 0);
                if (done < channels)
                    for (int ow = first; ow < end; ow++) Pixel<TVector, TInput>(shape, ref input, ref weight, ref rowSums, oh, ow, done);
            }
            for (int ow = end; ow < outWidth; ow++) Pixel<TVector, TInput>(shape, ref input, ref weight, ref rowSums, oh, ow, 0);
        }
    }

    // Columns [first, end) of a row whose windows start at input row ih, 16 channels at a time, then one block of 8;
    // returns the channels done.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Inside512<TInput>(DepthwiseShape shape, ref TInput input, ref float weight, ref float rowSums, int ih, int first, int end)
        where TInput : unmanaged
    {
        int channels = shape.Channels, below = shape.Width * channels, step = shape.Stride * channels, c = 0;
        for (; c + Vector512<float>.Count <= channels; c += Vector512<float>.Count)
        {
            ref float w = ref Unsafe.Add(ref weight, c);
            var w0 = Vector512.LoadUnsafe(ref w);
            var w1 = Vector512.LoadUnsafe(ref w, (nuint)channels);
            var w2 = Vector512.LoadUnsafe(ref w, (nuint)(2 * channels));
            var w3 = Vector512.LoadUnsafe(ref w, (nuint)(3 * channels));
            var w4 = Vector512.LoadUnsafe(ref w, (nuint)(4 * channels));
            var w5 = Vector512.LoadUnsafe(ref w, (nuint)(5 * channels));
            var w6 = Vector512.LoadUnsafe(ref w, (nuint)(6 * channels));
            var w7 = Vector512.LoadUnsafe(ref w, (nuint)(7 * channels));
            var w8 = Vector512.LoadUnsafe(ref w, (nuint)(8 * channels));
            ref TInput x = ref Unsafe.Add(ref input, (ih * shape.Width + first * shape.Stride - shape.Padding) * channels + c);
            ref float sums = ref Unsafe.Add(ref rowSums, first * channels + c);
            for (int ow = first; ow < end; ow++)
            {
                ref TInput middle = ref Unsafe.Add(ref x, below);
                ref TInput bottom = ref Unsafe.Add(ref x, 2 * below);
                var sum = w0 * Load512(ref x, 0);
                sum += w1 * Load512(ref x, channels);
                sum += w2 * Load512(ref x, 2 * channels);
                sum += w3 * Load512(ref middle, 0);
                sum += w4 * Load512(ref middle, channels);
                sum += w5 * Load512(ref middle, 2 * channels);
                sum += w6 * Load512(ref bottom, 0);
                sum += w7 * Load512(ref bottom, channels);
                sum += w8 * Load512(ref bottom, 2 * channels);
                sum.StoreUnsafe(ref sums);
                x = ref Unsafe.Add(ref x, step);
                sums = ref Unsafe.Add(ref sums, channels);
            }
        }
        return Inside256(shape, ref input, ref weight, ref rowSums, ih, first, end, c);
    }

    // The same with 8 channels at a time from channel `from`; returns the channels done.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Inside256<TInput>(DepthwiseShape shape, ref TInput input, ref float weight, ref float rowSums, int ih, int first, int end, int from)
        where TInput : unmanaged
    {
        int channels = shape.Channels, below = shape.Width * channels, step = shape.Stride * channels, c = from;
        for (; c + Vector256<float>.Count <= channels; c += Vector256<float>.Count)
        {
            ref float w = ref Unsafe.Add(ref weight, c);
            var w0 = Vector256.LoadUnsafe(ref w);
            var w1 = Vector256.LoadUnsafe(ref w, (nuint)channels);
            var w2 = Vector256.LoadUnsafe(ref w, (nuint)(2 * channels));
            var w3 = Vector256.LoadUnsafe(ref w, (nuint)(3 * channels));
            var w4 = Vector256.LoadUnsafe(ref w, (nuint)(4 * channels));
            var w5 = Vector256.LoadUnsafe(ref w, (nuint)(5 * channels));
            var w6 = Vector256.LoadUnsafe(ref w, (nuint)(6 * channels));
            var w7 = Vector256.LoadUnsafe(ref w, (nuint)(7 * channels));
            var w8 = Vector256.LoadUnsafe(ref w, (nuint)(8 * channels));
            ref TInput x = ref Unsafe.Add(ref input, (ih * shape.Width + first * shape.Stride - shape.Padding) * channels + c);
            ref float sums = ref Unsafe.Add(ref rowSums, first * channels + c);
            for (int ow = first; ow < end; ow++)
            {
                ref TInput middle = ref Unsafe.Add(ref x, below);
                ref TInput bottom = ref Unsafe.Add(ref x, 2 * below);
                var sum = w0 * Load256(ref x, 0);
                sum += w1 * Load256(ref x, channels);
                sum += w2 * Load256(ref x, 2 * channels);
                sum += w3 * Load256(ref middle, 0);
                sum += w4 * Load256(ref middle, channels);
                sum += w5 * Load256(ref middle, 2 * channels);
                sum += w6 * Load256(ref bottom, 0);
                sum += w7 * Load256(ref bottom, channels);
                sum += w8 * Load256(ref bottom, 2 * channels);
                sum.StoreUnsafe(ref sums);
                x = ref Unsafe.Add(ref x, step);
                sums = ref Unsafe.Add(ref sums, channels);
            }
        }
        return c;
    }

    // One output pixel's channels [from, Channels): the output row is the accumulator, each inside tap adds
    // weight row * input row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixel<TVector, TInput>(DepthwiseShape shape, ref TInput input, ref float weight, ref float rowSums, int oh, int ow, int from)
        where TInput : unmanaged
    {
        int channels = shape.Channels, k = shape.KernelSize;
        ref float sums = ref Unsafe.Add(ref rowSums, ow * channels + from);
        bool firstTap = true;
        for (int i = 0; i < k; i++)
        {
            int ih = oh * shape.Stride - shape.Padding + i;
            if ((uint)ih >= (uint)shape.Height) continue;
            for (int j = 0; j < k; j++)
            {
                int iw = ow * shape.Stride - shape.Padding + j;
                if ((uint)iw >= (uint)shape.Width) continue;
                ref TInput x = ref Unsafe.Add(ref input, (ih * shape.Width + iw) * channels + from);
                ref float w = ref Unsafe.Add(ref weight, (i * k + j) * channels + from);
                AddProducts<TVector, TInput>(ref sums, ref w, ref x, channels - from, firstTap);
                firstTap = false;
            }
        }
        if (firstTap) MemoryMarshal.CreateSpan(ref sums, channels - from).Clear();
    }

    // sums[c] = (first ? 0 : sums[c]) + w[c] * x[c]: a product rounded, then the sum rounded (0 + p is p exactly).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddProducts<TVector, TInput>(ref float sums, ref float w, ref TInput x, int count, bool first)
        where TInput : unmanaged
    {
        int c = 0;
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            for (; c + Vector512<float>.Count <= count; c += Vector512<float>.Count)
            {
                var product = Vector512.LoadUnsafe(ref w, (nuint)c) * Load512(ref x, c);
                (first ? product : Vector512.LoadUnsafe(ref sums, (nuint)c) + product).StoreUnsafe(ref sums, (nuint)c);
            }
        }
        if (typeof(TVector) == typeof(Vector512<float>) || typeof(TVector) == typeof(Vector256<float>))
        {
            for (; c + Vector256<float>.Count <= count; c += Vector256<float>.Count)
            {
                var product = Vector256.LoadUnsafe(ref w, (nuint)c) * Load256(ref x, c);
                (first ? product : Vector256.LoadUnsafe(ref sums, (nuint)c) + product).StoreUnsafe(ref sums, (nuint)c);
            }
        }
        for (; c < count; c++)
        {
            float product = Unsafe.Add(ref w, c) * ValueOf(Unsafe.Add(ref x, c));
            Unsafe.Add(ref sums, c) = first ? product : Unsafe.Add(ref sums, c) + product;
        }
    }

    // 16 inputs from x[offset] as floats (levels widened: zero-extend, then convert, exact below 2^24).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load512<TInput>(ref TInput x, int offset) where TInput : unmanaged =>
        typeof(TInput) == typeof(byte)
            ? Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref Unsafe.As<TInput, byte>(ref x), (nuint)offset)))
            : Vector512.LoadUnsafe(ref Unsafe.As<TInput, float>(ref x), (nuint)offset);

    // 8 inputs from x[offset] as floats (8 levels are one 64-bit read).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load256<TInput>(ref TInput x, int offset) where TInput : unmanaged =>
        typeof(TInput) == typeof(byte)
            ? Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(
                Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<TInput, byte>(ref Unsafe.Add(ref x, offset)))).AsByte()))
            : Vector256.LoadUnsafe(ref Unsafe.As<TInput, float>(ref x), (nuint)offset);
}
