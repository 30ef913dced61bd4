using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Stored;

/// <summary>
/// Each quantizer family's weight quantizer in plain float32 C#, from latent weights and the family's stored state, in
/// the order of the TorchSharp forward's operations (docs/method.md, "Plans from stored weights"):
/// <list type="bullet">
/// <item>DoReFa and PACT, k &gt;= 2 bits: <c>t = tanh(w)</c>, <c>h = 1 / (2 max(max|t|, 1e-12))</c>,
/// <c>w_q = 2 (round(n (t h + 1/2)) / n) - 1</c>, grid of odd levels <c>-n..n</c> worth <c>1/n</c>;</item>
/// <item>DoReFa and PACT, 1 bit: <c>±mean|w|</c> (sign(0) = +1), the mean summed in double;</item>
/// <item>LSQ with the stored step <c>s</c> of the switch: <c>round(clamp(w / s, -Q_N, Q_P)) s</c>, or <c>sign(w / s) s</c>
/// at 1 bit, grid <c>-Q_N..Q_P</c> worth <c>s</c>.</item>
/// </list>
/// <c>tanh</c> is computed in double and rounded once to float32; TorchSharp's float32 <c>tanh</c> and its float32
/// 1-bit mean may differ from these in the last bit (measured in docs/method.md, "Plans from stored weights").
/// </summary>
internal static class StoredWeightQuantizer
{
    // DoReFa's guard of an all-zero weight tensor (DoReFa.MinimumScale).
    private const float MinimumScale = 1e-12f;

    /// <summary>The quantized values of <paramref name="latent"/> at <paramref name="bits"/> (1 to 8) bits, with their grid.</summary>
    /// <param name="family">The quantizer family.</param>
    /// <param name="latent">The latent weights, in any order.</param>
    /// <param name="bits">Weight bits, 1 to 8.</param>
    /// <param name="step">The LSQ step of the switch (ignored by the other families).</param>
    public static (float[] Values, WeightGrid Grid) Quantize(QuantizerKind family, float[] latent, int bits, float step) => family switch
    {
        QuantizerKind.Lsq => Lsq(latent, bits, step),
        _ => bits == 1 ? Binary(latent) : TanhNormalised(latent, bits),
    };

    private static (float[], WeightGrid) Binary(float[] latent)
    {
        double sum = 0;
        foreach (float w in latent) sum += Math.Abs(w);
        float scale = latent.Length == 0 ? 0f : (float)(sum / latent.Length);
        var values = new float[latent.Length];
        for (int i = 0; i < values.Length; i++) values[i] = latent[i] >= 0 ? scale : -scale;
        return (values, WeightGrid.Signs(scale));
    }

    private static (float[], WeightGrid) TanhNormalised(float[] latent, int bits)
    {
        var t = new float[latent.Length];
        float largest = 0f;
        for (int i = 0; i < t.Length; i++)
        {
            t[i] = (float)Math.Tanh(latent[i]);
            largest = MathF.Max(largest, MathF.Abs(t[i]));
        }
        float halfInverseMax = 1f / (MathF.Max(largest, MinimumScale) * 2f);
        int steps = UniformLevels.Steps(bits);
        float n = steps;
        var values = new float[t.Length];
        for (int i = 0; i < t.Length; i++)
        {
            float unit = t[i] * halfInverseMax + 0.5f;
            float q = MathF.Round(unit * n, MidpointRounding.ToEven) / n;
            values[i] = q * 2f - 1f;
        }
        return (values, new WeightGrid(1f / steps, -steps, steps, 2));
    }

    private static (float[], WeightGrid) Lsq(float[] latent, int bits, float step)
    {
        int negative = LsqLevels.Negative(bits, signed: true), positive = LsqLevels.Positive(bits, signed: true);
        var values = new float[latent.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float ratio = Math.Clamp(latent[i] / step, -negative, positive);
            // 0 + round: the straight-through estimator adds an exact +0 to the rounded level, which turns -0 into +0.
            float level = bits == 1 ? (ratio >= 0 ? 1f : -1f) : 0f + MathF.Round(ratio, MidpointRounding.ToEven);
            values[i] = level * step;
        }
        return (values, bits == 1 ? WeightGrid.Signs(step) : new WeightGrid(step, -negative, positive, 1));
    }
}
