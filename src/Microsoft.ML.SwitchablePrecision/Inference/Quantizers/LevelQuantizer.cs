using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization;
using LevelEpilogue = Microsoft.ML.SwitchablePrecision.Inference.Steps.LevelEpilogue;

namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// One layer's activation quantizer at one switch as a map from a float activation to an unsigned integer level
/// <c>q in 0..2^k - 1</c> whose value is <c>q * Scale</c> (docs/method.md, "Integer levels"). Each quantizer family
/// creates its own (<c>ActivationQuantizerRule.Levels</c>) from a level rule that repeats the float32 operations
/// of its TorchSharp forward in the same order, so a level differs from TorchSharp's only when the input itself
/// differs. Two quantizers are equal when they write the same levels.
/// </summary>
internal abstract record LevelQuantizer
{
    private protected LevelQuantizer(QuantizerKind kind, int bits, float scale, float learned)
    {
        Kind = kind;
        Bits = bits;
        Steps = UniformLevels.Steps(bits);
        Scale = scale;
        Learned = learned;
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind { get; }

    /// <summary>Activation bits k, 1 to 8.</summary>
    public int Bits { get; }

    /// <summary>The largest level <c>n = 2^k - 1</c>.</summary>
    public int Steps { get; }

    /// <summary>The value of level 1.</summary>
    public float Scale { get; }

    /// <summary>
    /// The learned value that, with <see cref="Kind"/> and <see cref="Bits"/>, determines the quantizer (PACT's clipping
    /// level, LSQ's step; 0 for DoReFa): what a stored plan keeps to recreate it (<see cref="QuantizerFamily.RestoreLevels"/>).
    /// </summary>
    public float Learned { get; }

    /// <summary>The levels of <paramref name="values"/> (the same as <see cref="Level"/> element by element).</summary>
    public abstract void Levels(ReadOnlySpan<float> values, Span<byte> levels);

    /// <summary>The level of activation <paramref name="x"/>.</summary>
    public abstract byte Level(float x);

    /// <summary>
    /// The levels of a layer's epilogue output in one pass (<see cref="LevelEpilogue"/>; only where
    /// <see cref="LevelEpilogue.Serves"/>, or a forced <paramref name="variant"/>): the same bytes as the epilogue's floats
    /// followed by <see cref="Levels"/>.
    /// </summary>
    public abstract void EpilogueLevels(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<byte> levels, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling, KernelVariant variant = KernelVariant.Auto);

    /// <summary>The float value of <paramref name="level"/> exactly as the TorchSharp forward writes it (about <c>level * Scale</c>).</summary>
    public abstract float Value(byte level);
}

/// <summary>A <see cref="LevelQuantizer"/> over a family's level rule, compiled once per rule with the rule inlined.</summary>
internal sealed record LevelQuantizer<TRule> : LevelQuantizer where TRule : struct, IActivationLevelRule
{
    private readonly TRule _rule;

    /// <summary>
    /// Creates the quantizer of <paramref name="kind"/> at <paramref name="bits"/> bits, level 1 worth <paramref name="scale"/>,
    /// from the family's <paramref name="learned"/> value.
    /// </summary>
    public LevelQuantizer(QuantizerKind kind, int bits, float scale, float learned, TRule rule) : base(kind, bits, scale, learned) => _rule = rule;

    /// <inheritdoc/>
    public override void Levels(ReadOnlySpan<float> values, Span<byte> levels) => ActivationLevelLoop.Write(_rule, values, levels);

    /// <inheritdoc/>
    public override byte Level(float x) => ActivationLevelLoop.Level(_rule, x);

    /// <inheritdoc/>
    public override void EpilogueLevels(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<byte> levels, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling, KernelVariant variant = KernelVariant.Auto) =>
        LevelEpilogue.Apply(_rule, x, residual, levels, pixels, multiplier, bias, rectify, ceiling, variant);

    /// <inheritdoc/>
    public override float Value(byte level) => _rule.Value(level);
}
