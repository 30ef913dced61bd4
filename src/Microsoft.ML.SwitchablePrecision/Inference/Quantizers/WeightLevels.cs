using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// One layer's weights at one switch as a row-major matrix <c>[Rows, Depth]</c> of signed integer levels whose value
/// is <c>level * Scale</c>, or, at 32 bits, as floats (docs/method.md, "Integer levels"): DoReFa 1 bit <c>±1</c>,
/// Scale <c>mean|w|</c>; DoReFa k &gt;= 2 bits the odd integers <c>2L - n</c> in <c>-n..n</c>, Scale <c>1/n</c>;
/// LSQ k bits <c>-2^(k-1)..2^(k-1) - 1</c> (1 bit: <c>±1</c>), Scale the learned step.
/// </summary>
internal sealed class WeightLevels
{
    private WeightLevels(int rows, int depth, int bits, QuantizerKind kind, int[] levels, float scale, float[] values)
    {
        Rows = rows;
        Depth = depth;
        Bits = bits;
        Kind = kind;
        Levels = levels;
        Scale = scale;
        Values = values;
    }

    /// <summary>Output rows.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Weight bits: 1 to 8, or 32 (then <see cref="Levels"/> is empty).</summary>
    public int Bits { get; }

    /// <summary>The quantizer family that produced the levels.</summary>
    public QuantizerKind Kind { get; }

    /// <summary>True at 32 bits.</summary>
    public bool IsFullPrecision => UniformLevels.IsFullPrecision(Bits);

    /// <summary>Integer levels, row-major <c>[Rows, Depth]</c>; empty at 32 bits.</summary>
    public int[] Levels { get; }

    /// <summary>The value of level 1 (1 at 32 bits).</summary>
    public float Scale { get; }

    /// <summary>The quantized weight values the TorchSharp forward multiplies with, row-major <c>[Rows, Depth]</c>.</summary>
    public float[] Values { get; }

    /// <summary>Smallest level the quantizer can produce.</summary>
    public int MinimumLevel => Kind == QuantizerKind.DoReFa
        ? (Bits == 1 ? -1 : -UniformLevels.Steps(Bits))
        : -Lsq.NegativeLevels(Bits, signed: true);

    /// <summary>Largest level the quantizer can produce.</summary>
    public int MaximumLevel => Kind == QuantizerKind.DoReFa
        ? (Bits == 1 ? 1 : UniformLevels.Steps(Bits))
        : Lsq.PositiveLevels(Bits, signed: true);

    /// <summary>Full-precision weights.</summary>
    public static WeightLevels FullPrecision(float[] values, int rows, int depth) =>
        new(rows, depth, Precision.FullPrecisionBits, QuantizerKind.DoReFa, [], 1f, values);

    /// <summary>
    /// Levels recovered from the quantizer's own output <paramref name="quantized"/> (the float values TorchSharp
    /// multiplies with): every value is a level times the scale, and levels are integers far apart compared with float
    /// rounding, so rounding <c>value / Scale</c> recovers them exactly.
    /// </summary>
    /// <param name="quantized">Quantized weights, row-major <c>[rows, depth]</c>.</param>
    /// <param name="rows">Output rows.</param>
    /// <param name="depth">Reduction length.</param>
    /// <param name="bits">Weight bits, 1 to 8.</param>
    /// <param name="kind">DoReFa (also PACT's weights) or LSQ.</param>
    /// <param name="lsqStep">LSQ's step (ignored by DoReFa).</param>
    public static WeightLevels FromQuantized(float[] quantized, int rows, int depth, int bits, QuantizerKind kind, float lsqStep)
    {
        var family = kind == QuantizerKind.Lsq ? QuantizerKind.Lsq : QuantizerKind.DoReFa;
        float scale = family == QuantizerKind.Lsq ? lsqStep
            : bits == 1 ? (quantized.Length == 0 ? 0f : MathF.Abs(quantized[0]))
            : 1f / UniformLevels.Steps(bits);
        var levels = new int[quantized.Length];
        for (int i = 0; i < levels.Length; i++)
            levels[i] = bits == 1 ? (quantized[i] >= 0 ? 1 : -1)
                : scale == 0 ? 0 : (int)MathF.Round(quantized[i] / scale, MidpointRounding.ToEven);
        var result = new WeightLevels(rows, depth, bits, family, levels, scale, quantized);
        int low = result.MinimumLevel, high = result.MaximumLevel;
        int outside = Array.FindIndex(levels, l => l < low || l > high);
        if (outside >= 0)
            throw new InvalidOperationException(
                $"Weight {outside} quantizes to level {levels[outside]}, outside {low}..{high} of {bits}-bit {family}: the quantizer and the plan disagree.");
        return result;
    }
}
