namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// The signed integer grid of one layer's quantized weights at one switch: levels <c>Minimum + Spacing * L</c> for
/// <c>L = 0 .. 2^k - 1</c>, up to <see cref="Maximum"/>, each worth <c>level * Scale</c>.
/// </summary>
/// <param name="Scale">The value of level 1.</param>
/// <param name="Minimum">The smallest level.</param>
/// <param name="Maximum">The largest level.</param>
/// <param name="Spacing">The distance between neighbouring levels (2 for grids of odd integers such as <c>±1</c>).</param>
internal readonly record struct WeightGrid(float Scale, int Minimum, int Maximum, int Spacing)
{
    /// <summary>Two levels <c>±1</c> worth <c>±<paramref name="scale"/></c>.</summary>
    public static WeightGrid Signs(float scale) => new(scale, -1, 1, 2);
}
