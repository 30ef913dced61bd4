using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Quantization.Families;

/// <summary>
/// DoReFa (docs/method.md, section 3): fixed ranges, no learned state. Weights: tanh-normalised k-bit, or
/// <c>sign(w) mean|w|</c> at 1 bit; activations <c>round(n clamp(x, 0, 1)) / n</c>. Integer form: activation levels
/// <c>round(n clamp(x, 0, 1))</c> with scale <c>1/n</c>; weight levels <c>±1</c> with scale <c>mean|w|</c> at 1 bit,
/// odd integers <c>-n..n</c> with scale <c>1/n</c> above. The only family whose activations live on [0, 1], so it
/// alone supports clipping 32-bit activations and runs on the packed binary kernel.
/// </summary>
internal sealed class DoReFaFamily : QuantizerFamily
{
    /// <inheritdoc/>
    public override QuantizerKind Kind => QuantizerKind.DoReFa;

    /// <inheritdoc/>
    public override bool SupportsClipFullPrecisionActivations => true;

    /// <inheritdoc/>
    public override bool RunsOnPackedBinaryKernel => true;

    /// <summary>The 1-bit weight rule in integer form: a latent weight <c>w &gt;= 0</c> quantizes to <c>+Scale</c> (sign(0) = +1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsPositiveBinaryWeight(float weight) => weight >= 0;

    /// <summary>The 1-bit weight scale in integer form: <c>mean|w|</c> over the whole layer (summed in double).</summary>
    public static float BinaryWeightScale(ReadOnlySpan<float> latentWeights)
    {
        double sum = 0;
        foreach (float w in latentWeights) sum += Math.Abs(w);
        return (float)(sum / latentWeights.Length);
    }

    /// <summary>The activation levels <c>round(n clamp(x, 0, 1))</c> of <paramref name="bits"/> (1 to 8) bits.</summary>
    public static ActivationLevels ActivationLevelRule(int bits) => new(UniformLevels.Steps(bits));

    /// <inheritdoc/>
    public override LevelQuantizer RestoreLevels(int bits, float learned) => Levels(bits);

    /// <summary>The integer form of the activation quantizer at <paramref name="bits"/> bits (it has no learned state).</summary>
    internal static LevelQuantizer Levels(int bits) =>
        new LevelQuantizer<ActivationLevels>(QuantizerKind.DoReFa, bits, 1f / UniformLevels.Steps(bits), 0f, ActivationLevelRule(bits));

    /// <summary><c>q = round(n clamp(x, 0, 1))</c>, as <c>DoReFa.QuantizeActivations</c> multiplies before rounding.</summary>
    /// <param name="Steps">The largest level <c>n</c>.</param>
    internal readonly record struct ActivationLevels(float Steps) : IActivationLevelRule
    {
        /// <inheritdoc/>
        public float Level(float x) => MathF.Round(Steps * Math.Clamp(x, 0f, 1f), MidpointRounding.ToEven);

        /// <inheritdoc/>
        public Vector256<float> Level(Vector256<float> x) =>
            Vector256.Round(Vector256.Create(Steps) * Vector256.Min(Vector256.Max(x, Vector256<float>.Zero), Vector256<float>.One));

        /// <inheritdoc/>
        public Vector512<float> Level(Vector512<float> x) =>
            Vector512.Round(Vector512.Create(Steps) * Vector512.Min(Vector512.Max(x, Vector512<float>.Zero), Vector512<float>.One));

        /// <inheritdoc/>
        public float Value(float level) => level / Steps;
    }
}
