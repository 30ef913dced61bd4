using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// The arithmetic of an <see cref="OutputStage"/> on a block of channels-last pixels:
/// <c>y = rectify(x * multiplier[c] + bias[c] + residual)</c> per value, each operation rounded on its own (no fused
/// multiply-add), so every path gives the bits of <see cref="Reference"/>. With a channel count that is a multiple of
/// the vector width the whole block runs as one loop of vectors over pixels (one 512-bit vector per pixel of 16
/// channels), instead of one call per pixel.
/// </summary>
internal static class ChannelEpilogue
{
    /// <summary>
    /// Writes <paramref name="y"/> for the first <paramref name="pixels"/> pixels of <paramref name="x"/>
    /// (<paramref name="residual"/> empty for none; <paramref name="ceiling"/> infinite for ReLU).
    /// </summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling)
    {
        int channels = multiplier.Length, length = pixels * channels;
        if (x.Length < length || y.Length < length || (!residual.IsEmpty && residual.Length < length))
            throw new ArgumentException($"{pixels} pixels of {channels} channels need {length} values; x has {x.Length}, y {y.Length}, residual {residual.Length}.", nameof(pixels));
        if (!Kernels.KernelSupport.VectorsAllowed) Reference(x, residual, y, pixels, multiplier, bias, rectify, ceiling);
        else if (Vector512.IsHardwareAccelerated && channels % Vector512<float>.Count == 0) Wide(x, residual, y, pixels, multiplier, bias, rectify, ceiling);
        else if (Vector256.IsHardwareAccelerated && channels % Vector256<float>.Count == 0) Narrow(x, residual, y, pixels, multiplier, bias, rectify, ceiling);
        else PerPixel(x, residual, y, pixels, multiplier, bias, rectify, ceiling);
    }

    /// <summary>The definition, value by value.</summary>
    public static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling)
    {
        int channels = multiplier.Length;
        for (int i = 0; i < pixels * channels; i++)
        {
            int c = i % channels;
            float v = x[i] * multiplier[c] + bias[c];
            if (!residual.IsEmpty) v += residual[i];
            y[i] = rectify ? MathF.Min(MathF.Max(v, 0f), ceiling) : v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Wide(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling)
    {
        int channels = multiplier.Length, length = pixels * channels, width = Vector512<float>.Count;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float added = ref MemoryMarshal.GetReference(residual);
        ref float target = ref MemoryMarshal.GetReference(y);
        ref float scale = ref MemoryMarshal.GetArrayDataReference(multiplier);
        ref float shift = ref MemoryMarshal.GetArrayDataReference(bias);
        var top = Vector512.Create(ceiling);
        bool add = !residual.IsEmpty;
        for (int c = 0; c < channels; c += width)
        {
            var m = Vector512.LoadUnsafe(ref scale, (nuint)c);
            var b = Vector512.LoadUnsafe(ref shift, (nuint)c);
            for (int i = c; i < length; i += channels)
            {
                var v = Vector512.LoadUnsafe(ref source, (nuint)i) * m + b;
                if (add) v += Vector512.LoadUnsafe(ref added, (nuint)i);
                if (rectify) v = Vector512.Min(Vector512.Max(v, Vector512<float>.Zero), top);
                v.StoreUnsafe(ref target, (nuint)i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling)
    {
        int channels = multiplier.Length, length = pixels * channels, width = Vector256<float>.Count;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float added = ref MemoryMarshal.GetReference(residual);
        ref float target = ref MemoryMarshal.GetReference(y);
        ref float scale = ref MemoryMarshal.GetArrayDataReference(multiplier);
        ref float shift = ref MemoryMarshal.GetArrayDataReference(bias);
        var top = Vector256.Create(ceiling);
        bool add = !residual.IsEmpty;
        for (int c = 0; c < channels; c += width)
        {
            var m = Vector256.LoadUnsafe(ref scale, (nuint)c);
            var b = Vector256.LoadUnsafe(ref shift, (nuint)c);
            for (int i = c; i < length; i += channels)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)i) * m + b;
                if (add) v += Vector256.LoadUnsafe(ref added, (nuint)i);
                if (rectify) v = Vector256.Min(Vector256.Max(v, Vector256<float>.Zero), top);
                v.StoreUnsafe(ref target, (nuint)i);
            }
        }
    }

    // Other channel counts: vectors over each pixel's channels, the remainder one by one (what the stage did before).
    private static void PerPixel(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> y, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling)
    {
        int channels = multiplier.Length;
        bool add = !residual.IsEmpty;
        var top = Vector256.Create(ceiling);
        for (int p = 0; p < pixels; p++)
        {
            int start = p * channels, m = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; m + Vector256<float>.Count <= channels; m += Vector256<float>.Count)
                {
                    var v = Vector256.Create(x.Slice(start + m, 8)) * Vector256.Create(multiplier.AsSpan(m, 8)) + Vector256.Create(bias.AsSpan(m, 8));
                    if (add) v += Vector256.Create(residual.Slice(start + m, 8));
                    if (rectify) v = Vector256.Min(Vector256.Max(v, Vector256<float>.Zero), top);
                    v.CopyTo(y.Slice(start + m, 8));
                }
            for (; m < channels; m++)
            {
                float v = x[start + m] * multiplier[m] + bias[m];
                if (add) v += residual[start + m];
                y[start + m] = rectify ? MathF.Min(MathF.Max(v, 0f), ceiling) : v;
            }
        }
    }
}
