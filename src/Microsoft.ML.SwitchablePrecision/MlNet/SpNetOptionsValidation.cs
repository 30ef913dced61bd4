using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// Every check of <see cref="SpNetOptions"/>, made when the estimator is created, before any data is read. Messages
/// name the option as the user set it; the network and training records run their own checks on the mapped values.
/// </summary>
internal static class SpNetOptionsValidation
{
    /// <exception cref="ArgumentException">An option is out of range; the message names it and says what is expected.</exception>
    public static void Check(SpNetOptions options)
    {
        foreach (var (name, value) in new[]
        {
            (nameof(options.LabelColumnName), options.LabelColumnName), (nameof(options.FeatureColumnName), options.FeatureColumnName),
            (nameof(options.ScoreColumnName), options.ScoreColumnName), (nameof(options.PredictedLabelColumnName), options.PredictedLabelColumnName),
        })
            Require(!string.IsNullOrWhiteSpace(value), name, $"'{value}'", "a column name");
        Require(options.ScoreColumnName != options.PredictedLabelColumnName, nameof(options.PredictedLabelColumnName),
            $"'{options.PredictedLabelColumnName}'", $"another name than {nameof(options.ScoreColumnName)}");
        Require(options.ScoringBatchSize >= 1, nameof(options.ScoringBatchSize), options.ScoringBatchSize, "at least 1");
        Require(options.ImageChannels is 0 or 1 or 3, nameof(options.ImageChannels), options.ImageChannels, "0 (from the column), 1 or 3");
        Require(options.ImageHeight == 0 || options.ImageHeight is >= NetworkLimits.MinimumImageSize and <= NetworkLimits.MaximumImageSize,
            nameof(options.ImageHeight), options.ImageHeight, $"0 (from the column) or {NetworkLimits.MinimumImageSize} to {NetworkLimits.MaximumImageSize}");
        Require(options.ImageWidth == 0 || options.ImageWidth is >= NetworkLimits.MinimumImageSize and <= NetworkLimits.MaximumImageSize,
            nameof(options.ImageWidth), options.ImageWidth, $"0 (from the column) or {NetworkLimits.MinimumImageSize} to {NetworkLimits.MaximumImageSize}");
        Require(options.ProfileHoldoutFraction is >= 0 and <= 0.5, nameof(options.ProfileHoldoutFraction), options.ProfileHoldoutFraction, "0 to 0.5");
        InputColumns.CheckSwitches(options.Switches);
        InputColumns.CheckSwitchLossWeights(options.SwitchLossWeights, options.Switches.Count);
        NetworkLimits.Validate(SpNetOptionsMapping.Network(options, new NetworkOptions()));
        SpNetOptionsMapping.Trainer(options, seed: 0).Validate(nameof(SpNetOptions));
    }

    private static void Require(bool condition, string name, object value, string expected)
    {
        if (condition) return;
        string shown = System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null";
        throw new ArgumentException($"{nameof(SpNetOptions)}.{name} is {shown}; expected {expected}.", "options");
    }
}
