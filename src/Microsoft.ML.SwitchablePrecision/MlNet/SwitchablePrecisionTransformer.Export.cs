using Microsoft.ML.SwitchablePrecision.Inference.Description;

namespace Microsoft.ML.SwitchablePrecision;

public sealed partial class SwitchablePrecisionTransformer
{
    /// <summary>
    /// A plan-only copy of this transformer holding <paramref name="switches"/> alone (the active one if it is among
    /// them, else the first): their plan descriptions, read from the network or, for a model already exported, taken
    /// from its own, stored as <paramref name="floatStorage"/>. Options, class names and stored accuracies are carried over.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or names a switch twice, or a value does not fit <paramref name="floatStorage"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A switch is not one of the model's; the message lists the valid ones.</exception>
    internal SwitchablePrecisionTransformer ForInference(IReadOnlyList<Precision> switches, InferenceFloatStorage floatStorage = InferenceFloatStorage.Float32)
    {
        ThrowIfDisposed();
        if (switches.Count == 0)
            throw new ArgumentException($"Name at least one switch to export; the model has {string.Join(", ", Switches)}.", nameof(switches));
        var repeated = switches.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"Switch {repeated.Key} is listed {repeated.Count()} times; list each switch once.", nameof(switches));
        foreach (var precision in switches)
            if (!Switches.Contains(precision))
                throw new ArgumentOutOfRangeException(nameof(switches), precision.ToString(),
                    $"Switch {precision} is not one of the model's switches: {string.Join(", ", Switches)}.");
        var exported = _exported?.Subset(switches) ?? WithBackend(network =>
        {
            if (Inference.Builders.PlanWalks.For(network.Options.Architecture) is null)
                throw new NotSupportedException($"Architecture {network.Options.Architecture} has no inference plan builder, so it cannot be exported for inference.");
            var basis = network.ReportBasis();
            return new ExportedPlans(network.Options, switches.Select(network.Describe), basis);
        });
        exported = exported.StoredAs(floatStorage);
        var active = switches.Contains(Precision) ? Precision : switches[0];
        var accuracies = switches.Select(s => SwitchAccuracies[IndexOf(s)]).ToArray();
        return new SwitchablePrecisionTransformer(Host, exported, Options, _classNames, active) { SwitchAccuracies = accuracies };
    }
}
