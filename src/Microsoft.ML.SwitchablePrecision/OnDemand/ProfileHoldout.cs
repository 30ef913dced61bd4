using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// The data the switch accuracies of <see cref="SwitchProfile"/> are measured on: the validation set when there is
/// one, else a seeded random <see cref="SpNetOptions.ProfileHoldoutFraction"/> of the training rows, which training
/// then does not see.
/// </summary>
internal static class ProfileHoldout
{
    /// <summary>The rows to train on and the rows to measure accuracy on (null: none, accuracies unknown).</summary>
    /// <exception cref="InvalidOperationException">Holding the fraction back would leave no training row.</exception>
    public static (ImageDataset Train, ImageDataset? Profile) Split(ImageDataset train, ImageDataset? validation, double fraction, int seed)
    {
        if (validation is not null) return (train, validation);
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
