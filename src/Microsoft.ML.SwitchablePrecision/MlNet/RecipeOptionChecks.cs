using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>Checks of the training-recipe and checkpoint options of <see cref="SpNetOptions"/>, made when the estimator is created.</summary>
internal static class RecipeOptionChecks
{
    /// <exception cref="ArgumentException">An option is out of range; the message names it as <c>SpNetOptions.Name</c> and says what is expected.</exception>
    public static void Check(SpNetOptions options)
    {
        Require(double.IsFinite(options.FullPrecisionWarmStart) && options.FullPrecisionWarmStart is >= 0 and < 1,
            nameof(options.FullPrecisionWarmStart), options.FullPrecisionWarmStart, "at least 0 and below 1 (a fraction of the training steps)");
        Require(options.BatchNormReestimationBatches >= 0, nameof(options.BatchNormReestimationBatches), options.BatchNormReestimationBatches,
            "at least 0 (0 = off)");
        Require(options.CheckpointFolder is null || !string.IsNullOrWhiteSpace(options.CheckpointFolder),
            nameof(options.CheckpointFolder), $"'{options.CheckpointFolder}'", "null (no checkpoints) or a folder path");
    }

    private static void Require(bool condition, string name, object value, string expected)
    {
        if (condition) return;
        string shown = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
        throw new ArgumentException($"{nameof(SpNetOptions)}.{name} is {shown}; expected {expected}.", "options");
    }
}
