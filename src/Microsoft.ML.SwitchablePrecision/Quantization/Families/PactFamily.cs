using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Quantization.Families;

/// <summary>
/// PACT (docs/method.md, section 4): activations clipped to a clipping level <c>alpha_{i}</c> learned per switch and per
/// layer input, then k-bit uniform on [0, alpha]; weights as DoReFa. Integer form: activation levels
/// <c>round(clip(x, 0, alpha) / (alpha' / n))</c> with scale <c>alpha' / n</c>, <c>alpha' = max(alpha, 1e-4)</c>.
/// </summary>
internal sealed class PactFamily : QuantizerFamily
{
    /// <inheritdoc/>
    public override QuantizerKind Kind => QuantizerKind.Pact;

    /// <summary>The smallest clipping level the quantizer divides by (PACT's step never reaches 0).</summary>
    internal const float MinimumAlpha = 1e-4f;

    /// <inheritdoc/>
    public override LevelQuantizer RestoreLevels(int bits, float learned) => Create(bits, learned);

    /// <summary>The integer form at <paramref name="bits"/> bits with clipping level <paramref name="alpha"/>.</summary>
    internal static LevelQuantizer Create(int bits, float alpha)
    {
        var rule = ActivationLevelRule(bits, alpha);
        return new LevelQuantizer<ActivationLevels>(QuantizerKind.Pact, bits, rule.Step, alpha, rule);
    }

    /// <summary>The level rule at <paramref name="bits"/> bits with clipping level <paramref name="alpha"/> (also the fused training quantizer's).</summary>
    internal static ActivationLevels ActivationLevelRule(int bits, float alpha)
    {
        float steps = UniformLevels.Steps(bits);
        return new(steps, alpha, MathF.Max(alpha, MinimumAlpha) / steps);
    }

    /// <summary>
    /// <c>q = round((x &gt;= alpha ? alpha : max(x, 0)) / step)</c>, dividing by the float step as
    /// <c>Pact.QuantizeActivations</c> does. With alpha below its floor the clip is alpha but the step is the
    /// floor's, so the level is capped at <c>n</c>.
    /// </summary>
    internal readonly record struct ActivationLevels(float Steps, float Alpha, float Step) : IActivationLevelRule
    {
        public float Level(float x) => MathF.Round((x >= Alpha ? Alpha : MathF.Max(x, 0f)) / Step, MidpointRounding.ToEven);

        public Vector256<float> Level(Vector256<float> x)
        {
            var alpha = Vector256.Create(Alpha);
            var clipped = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, alpha), alpha, Vector256.Max(x, Vector256<float>.Zero));
            return Vector256.Min(Vector256.Round(clipped / Vector256.Create(Step)), Vector256.Create(Steps));
        }

        public Vector512<float> Level(Vector512<float> x)
        {
            var alpha = Vector512.Create(Alpha);
            var clipped = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, alpha), alpha, Vector512.Max(x, Vector512<float>.Zero));
            return Vector512.Min(Vector512.Round(clipped / Vector512.Create(Step)), Vector512.Create(Steps));
        }

        public float Value(float level) => level * Step;
    }
}
