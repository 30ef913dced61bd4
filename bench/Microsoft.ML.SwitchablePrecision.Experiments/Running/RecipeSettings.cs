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
        "bs<n> (batch size n)";

    /// <summary><paramref name="options"/> with every setting of <paramref name="variant"/> applied, or null when one is not a known setting.</summary>
    public static TrainerOptions? Apply(TrainerOptions options, string variant)
    {
        foreach (string setting in variant.Split('+'))
        {
            var changed = ApplyOne(options, setting);
            if (changed is null) return null;
            options = changed;
        }
        return options;
    }

    private static TrainerOptions? ApplyOne(TrainerOptions options, string setting) => setting switch
    {
        "mean" => options with { SwitchLossReduction = SwitchLossReduction.Mean },
        "adam" => options with { Optimizer = OptimizerKind.Adam, LearningRate = 0.001 },
        "qwd0" => options with { DecayQuantizedWeights = false },
        _ when Number(setting, "warm") is { } warm => options with { FullPrecisionWarmStart = warm },
        _ when Number(setting, "lr") is { } lr => options with { LearningRate = lr },
        _ when Number(setting, "wd") is { } wd => options with { WeightDecay = wd },
        _ when Number(setting, "bs") is { } bs && bs >= 1 && bs == Math.Floor(bs) => options with { BatchSize = (int)bs },
        _ => null,
    };

    private static double? Number(string setting, string prefix) =>
        setting.StartsWith(prefix, StringComparison.Ordinal)
        && double.TryParse(setting.AsSpan(prefix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : null;
}
