using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// The data the switch accuracies of <see cref="SwitchProfile"/> are measured on: the validation set when there is
/// one, else a seeded random <see cref="SpNetOptions.ProfileHoldoutFraction"/> of the training rows, which training
/// then does not see.
/// </summary>
internal static class ProfileHoldout
{
    /// <summary>The fraction held back when <see cref="SpNetOptions.ProfileHoldoutFraction"/> is null (its remarks say why).</summary>
    public const double DefaultFraction = 0.05;

    /// <summary>The fewest rows the default holds back; below it the default holds back nothing.</summary>
    public const int MinimumDefaultRows = 100;

    /// <summary>The fraction held back of <paramref name="rows"/> training rows for the option's value (null: the default).</summary>
    public static double Fraction(double? fraction, int rows) =>
        fraction ?? (rows * DefaultFraction >= MinimumDefaultRows ? DefaultFraction : 0);

    /// <summary>The rows to train on and the rows to measure accuracy on (null: none, accuracies unknown).</summary>
    /// <exception cref="InvalidOperationException">Holding the fraction back would leave no training row.</exception>
    public static (ImageDataset Train, ImageDataset? Profile) Split(ImageDataset train, ImageDataset? validation, double? option, int seed)
    {
        if (validation is not null) return (train, validation);
        double fraction = Fraction(option, train.Count);
        if (fraction <= 0) return (train, null);
        int held = Math.Max(1, (int)Math.Round(fraction * train.Count));
        if (held >= train.Count)
            throw new InvalidOperationException(
                $"SpNetOptions.ProfileHoldoutFraction {fraction} of {train.Count} training rows would hold back {held} rows and leave none to train on.");
        var order = Enumerable.Range(0, train.Count).ToArray();
        new Random(seed).Shuffle(order);
        var profile = order.Take(held).Order().ToArray();
        var rest = order.Skip(held).Order().ToArray();
        return (train.Select(rest), train.Select(profile));
    }
}
