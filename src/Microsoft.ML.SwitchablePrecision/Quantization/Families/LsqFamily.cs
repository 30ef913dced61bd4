using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Quantization.Families;

/// <summary>
/// LSQ (docs/method.md, section 5): a step <c>step_{i}</c> learned per switch for each quantized tensor. Weight steps
/// start from the layer's initial weights; activation steps from the first training batch each switch sees, recorded in
/// the buffer <c>step_initialized</c>. Integer form: weight levels <c>-Q_N..Q_P</c> (<c>±1</c> at 1 bit) and
/// activation levels <c>round(clamp(x / s, 0, n))</c>, each with scale <c>s</c>.
/// </summary>
internal sealed class LsqFamily : QuantizerFamily
{
    /// <inheritdoc/>
    public override QuantizerKind Kind => QuantizerKind.Lsq;

    /// <inheritdoc/>
    public override LevelQuantizer RestoreLevels(int bits, float learned) => Create(bits, learned);

    /// <summary>The integer form at <paramref name="bits"/> bits with step <paramref name="step"/>.</summary>
    internal static LevelQuantizer Create(int bits, float step) =>
        new LevelQuantizer<ActivationLevels>(QuantizerKind.Lsq, bits, step, step, ActivationLevelRule(bits, step));

    /// <summary>The level rule at <paramref name="bits"/> bits with step <paramref name="step"/> (also the fused training quantizer's).</summary>
    internal static ActivationLevels ActivationLevelRule(int bits, float step) => new(UniformLevels.Steps(bits), step);

    /// <summary><c>q = round(clamp(x / s, 0, n))</c>, dividing before clamping as <c>Lsq.Quantize</c> does.</summary>
    internal readonly record struct ActivationLevels(float Steps, float Step) : IActivationLevelRule
    {
        public float Level(float x) => MathF.Round(Math.Clamp(x / Step, 0f, Steps), MidpointRounding.ToEven);

        public Vector256<float> Level(Vector256<float> x) =>
            Vector256.Round(Vector256.Min(Vector256.Max(x / Vector256.Create(Step), Vector256<float>.Zero), Vector256.Create(Steps)));

        public Vector512<float> Level(Vector512<float> x) =>
            Vector512.Round(Vector512.Min(Vector512.Max(x / Vector512.Create(Step), Vector512<float>.Zero), Vector512.Create(Steps)));

        public float Value(float level) => level * Step;
    }
}
