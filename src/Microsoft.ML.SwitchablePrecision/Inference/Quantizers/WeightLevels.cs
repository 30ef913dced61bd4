using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// One layer's weights at one switch as a row-major matrix <c>[Rows, Depth]</c> of signed integer levels whose value
/// is <c>level * Scale</c>, or, at 32 bits, as floats (docs/method.md, "Integer levels"). The layer's quantizer family
/// gives the grid (<c>WeightQuantizerRule.Grid</c>); the levels are recovered from the quantizer's own output.
/// </summary>
internal sealed class WeightLevels
{
    private WeightLevels(int rows, int depth, int bits, WeightGrid grid, int[] levels, float[] values)
    {
        Rows = rows;
        Depth = depth;
        Bits = bits;
        Grid = grid;
        Levels = levels;
        Values = values;
    }

    /// <summary>Output rows.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Weight bits: 1 to 8, or 32 (then <see cref="Levels"/> is empty).</summary>
    public int Bits { get; }

    /// <summary>The grid of the levels (at 32 bits: scale 1 and no levels).</summary>
    public WeightGrid Grid { get; }

    /// <summary>True at 32 bits.</summary>
    public bool IsFullPrecision => UniformLevels.IsFullPrecision(Bits);

    /// <summary>Integer levels, row-major <c>[Rows, Depth]</c>; empty at 32 bits.</summary>
    public int[] Levels { get; }

    /// <summary>The value of level 1 (1 at 32 bits).</summary>
    public float Scale => Grid.Scale;

    /// <summary>The quantized weight values the TorchSharp forward multiplies with, row-major <c>[Rows, Depth]</c>.</summary>
    public float[] Values { get; }

    /// <summary>Smallest level the quantizer can produce.</summary>
    public int MinimumLevel => Grid.Minimum;

    /// <summary>Largest level the quantizer can produce.</summary>
    public int MaximumLevel => Grid.Maximum;

    /// <summary>Full-precision weights.</summary>
    public static WeightLevels FullPrecision(float[] values, int rows, int depth) =>
        new(rows, depth, Precision.FullPrecisionBits, new WeightGrid(1f, 0, 0, 0), [], values);

    /// <summary>
    /// Levels recovered from the quantizer's own output <paramref name="quantized"/> (the float values TorchSharp
    /// multiplies with): every value is a level times the scale, and levels are integers far apart compared with float
    /// rounding, so rounding <c>value / Scale</c> recovers them exactly.
    /// </summary>
    /// <param name="quantized">Quantized weights, row-major <c>[rows, depth]</c>.</param>
    /// <param name="rows">Output rows.</param>
    /// <param name="depth">Reduction length.</param>
    /// <param name="bits">Weight bits, 1 to 8.</param>
    /// <param name="grid">The quantizer family's grid of these values.</param>
    /// <param name="family">The layer's quantizer family (named by the error message).</param>
    public static WeightLevels FromQuantized(float[] quantized, int rows, int depth, int bits, WeightGrid grid, QuantizerKind family)
    {
        float scale = grid.Scale;
        var levels = new int[quantized.Length];
        for (int i = 0; i < levels.Length; i++)
            levels[i] = bits == 1 ? (quantized[i] >= 0 ? 1 : -1)
                : scale == 0 ? 0 : (int)MathF.Round(quantized[i] / scale, MidpointRounding.ToEven);
        var result = new WeightLevels(rows, depth, bits, grid, levels, quantized);
        int low = result.MinimumLevel, high = result.MaximumLevel;
        int outside = Array.FindIndex(levels, l => l < low || l > high);
        if (outside >= 0)
            throw new InvalidOperationException(
                $"Weight {outside} quantizes to level {levels[outside]}, outside {low}..{high} of {bits}-bit {family}: the quantizer and the plan disagree.");
        return result;
    }

    /// <summary>
    /// Weights read back from a stored plan: <paramref name="levels"/> on <paramref name="grid"/> and the float
    /// <paramref name="values"/> the plan multiplies with where a float kernel serves the layer.
    /// </summary>
    /// <exception cref="ArgumentException">A level lies outside the grid, or the arrays do not hold <c>rows * depth</c> values.</exception>
    public static WeightLevels FromStored(int[] levels, float[] values, int rows, int depth, int bits, WeightGrid grid)
    {
        long count = (long)rows * depth;
        if (values.Length != count || levels.Length != count)
            throw new ArgumentException($"Stored weights hold {levels.Length} levels and {values.Length} values; expected {rows} x {depth} = {count} each.", nameof(levels));
        int outside = Array.FindIndex(levels, l => l < grid.Minimum || l > grid.Maximum);
        if (outside >= 0)
            throw new ArgumentException($"Stored weight {outside} is level {levels[outside]}, outside {grid.Minimum}..{grid.Maximum} of its {bits}-bit grid.", nameof(levels));
        return new WeightLevels(rows, depth, bits, grid, levels, values);
    }
}
