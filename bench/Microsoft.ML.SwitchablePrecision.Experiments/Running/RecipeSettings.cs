using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// Recipe variants written as settings joined by '+', each changing one trainer option of the base recipe, so an
/// ablation names exactly what it changed (for example <c>mean+adam+wd0</c>). The short-budget study uses them.
/// </summary>
internal static class RecipeSettings
{
    /// <summary>The accepted settings, for error messages.</summary>
    public const string Description =
        "mean (switch losses averaged), adam (Adam, learning rate 0.001), lr<x> (learning rate x), wd<x> (weight decay x), " +
        "warm<f> (full-precision warm start over a fraction f of the steps), qwd0 (no weight decay on latent quantized weights), " +
        "bs<n> (batch size n), top<f> (the last, highest-precision switch's loss a fraction f of the total, the others sharing the rest)";

    /// <summary>
    /// <paramref name="options"/> with every setting of <paramref name="variant"/> applied for a network of
    /// <paramref name="switches"/> switches, or null when one is not a known setting.
    /// </summary>
    public static TrainerOptions? Apply(TrainerOptions options, string variant, int switches)
    {
        foreach (string setting in variant.Split('+'))
        {
            var changed = ApplyOne(options, setting, switches);
            if (changed is null) return null;
            options = changed;
        }
        return options;
    }

    private static TrainerOptions? ApplyOne(TrainerOptions options, string setting, int switches) => setting switch
    {
        "mean" => options with { SwitchLossReduction = SwitchLossReduction.Mean },
        "adam" => options with { Optimizer = OptimizerKind.Adam, LearningRate = 0.001 },
        "qwd0" => options with { DecayQuantizedWeights = false },
        _ when Number(setting, "warm") is { } warm => options with { FullPrecisionWarmStart = warm },
        _ when Number(setting, "lr") is { } lr => options with { LearningRate = lr },
        _ when Number(setting, "wd") is { } wd => options with { WeightDecay = wd },
        _ when Number(setting, "bs") is { } bs && bs >= 1 && bs == Math.Floor(bs) => options with { BatchSize = (int)bs },
        _ when Number(setting, "top") is { } top && top is > 0 and < 1 && switches >= 2 => options with { SwitchLossWeights = TopWeights(top, switches) },
        _ => null,
    };

    // The same total as equal weights (k), so the step size of the shared weights is unchanged under either reduction.
    private static double[] TopWeights(double top, int switches) =>
        [.. Enumerable.Repeat(switches * (1 - top) / (switches - 1), switches - 1), switches * top];

    private static double? Number(string setting, string prefix) =>
        setting.StartsWith(prefix, StringComparison.Ordinal)
        && double.TryParse(setting.AsSpan(prefix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : null;
}
