using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// <see cref="ChannelEpilogue"/> and the next layer's level rule in one pass, for an <see cref="OutputStage"/> whose only
/// consumer takes levels: <c>level(rectify(x * multiplier[c] + bias[c] + residual))</c> per value, the float y never
/// stored. Each operation is the one of the two-pass path (the epilogue's, then the rule's vector
/// <see cref="IActivationLevelRule.Level(System.Runtime.Intrinsics.Vector512{float})"/> or its 256-bit form), so the
/// levels are the same bits. 512-bit vectors of 16 channels with AVX-512, else 256-bit vectors of 8 with AVX2
/// (<see cref="VariantFor"/> is the one selection point); the two-pass stage serves every other layer.
/// </summary>
internal static partial class LevelEpilogue
{
    /// <summary>True when the fused pass runs a layer of <paramref name="channels"/> on this CPU (else the two passes do).</summary>
    public static bool Serves(int channels) => VariantFor(channels) != KernelVariant.Reference;

    /// <summary>
    /// The fused variant <see cref="KernelVariant.Auto"/> runs for <paramref name="channels"/>: AVX-512 for a multiple of
    /// 16, AVX2 for a multiple of 8; <see cref="KernelVariant.Reference"/> when neither does (the two passes then run).
    /// </summary>
    public static KernelVariant VariantFor(int channels)
    {
        if (!KernelSupport.VectorsAllowed) return KernelVariant.Reference;
        if (ServesAvx512(channels)) return KernelVariant.Avx512;
        if (ServesAvx2(channels)) return KernelVariant.Avx2;
        return KernelVariant.Reference;
    }

    /// <summary>
    /// Writes the levels of the first <paramref name="pixels"/> pixels of <paramref name="x"/> into <paramref name="levels"/>
    /// (<paramref name="residual"/> empty for none; <paramref name="ceiling"/> infinite for ReLU) with
    /// <paramref name="variant"/>: Auto for <see cref="VariantFor"/>, or a forced Reference, Avx2 or Avx512 (tests).
    /// </summary>
    public static void Apply<TRule>(in TRule rule, ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<byte> levels, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling, KernelVariant variant = KernelVariant.Auto) where TRule : struct, IActivationLevelRule
    {
        int channels = multiplier.Length, length = pixels * channels;
        var chosen = variant == KernelVariant.Auto ? VariantFor(channels) : variant;
        bool served = chosen switch
        {
            KernelVariant.Reference => variant == KernelVariant.Reference,
            KernelVariant.Avx2 => ServesAvx2(channels),
            KernelVariant.Avx512 => ServesAvx512(channels),
            _ => false,
        };
        if (!served)
            throw new InvalidOperationException(
                $"the fused level epilogue needs AVX-512 and a multiple of 16 channels or AVX2 and a multiple of 8 ({variant} requested); the layer has {channels}.");
        if (x.Length < length || levels.Length < length || (!residual.IsEmpty && residual.Length < length))
            throw new ArgumentException($"{pixels} pixels of {channels} channels need {length} values; x has {x.Length}, levels {levels.Length}, residual {residual.Length}.", nameof(pixels));
        switch (chosen)
        {
            case KernelVariant.Avx512: ApplyAvx512(rule, x, residual, levels, pixels, multiplier, bias, rectify, ceiling); break;
            case KernelVariant.Avx2: ApplyAvx2(rule, x, residual, levels, pixels, multiplier, bias, rectify, ceiling); break;
            default: Reference(rule, x, residual, levels, pixels, multiplier, bias, rectify, ceiling); break;
        }
    }

    // The definition: the epilogue's scalar arithmetic, then the rule's scalar level, value by value.
    private static void Reference<TRule>(in TRule rule, ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<byte> levels, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling) where TRule : struct, IActivationLevelRule
    {
        int channels = multiplier.Length;
        for (int i = 0; i < pixels * channels; i++)
        {
            int c = i % channels;
            float v = x[i] * multiplier[c] + bias[c];
            if (!residual.IsEmpty) v += residual[i];
            levels[i] = ActivationLevelLoop.Level(rule, rectify ? MathF.Min(MathF.Max(v, 0f), ceiling) : v);
        }
    }
}
