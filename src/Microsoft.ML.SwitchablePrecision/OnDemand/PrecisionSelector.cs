using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>Picks a switch from profiles for a budget: the pure rule behind <see cref="SwitchablePrecisionTransformer.SelectPrecision"/>.</summary>
public static class PrecisionSelector
{
    /// <summary>
    /// The most accurate switch of <paramref name="profiles"/> within every limit of <paramref name="budget"/>. Exact ties
    /// of accuracy go to the cheapest: lowest estimated energy, then batch-1 latency, then weight bytes. Switches of
    /// unknown accuracy rank below those of known accuracy and, among themselves, by <see cref="Precision.CompareTo"/>
    /// (more bits presumed more accurate). A limit on a value a profile does not have (latency not measured, working
    /// memory or accuracy unknown) counts as violated.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="profiles"/> is empty or lists a switch twice.</exception>
    public static PrecisionSelection Select(IReadOnlyList<SwitchProfile> profiles, PrecisionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(budget);
        if (profiles.Count == 0) throw new ArgumentException("There are no switch profiles to select from.", nameof(profiles));
        if (profiles.Select(p => p.Precision).Distinct().Count() != profiles.Count)
            throw new ArgumentException("The profiles list a switch more than once.", nameof(profiles));
        var violations = profiles.SelectMany(p => Violations(p, budget)).ToArray();
        var fitting = profiles.Where(p => violations.All(v => v.Precision != p.Precision));
        var chosen = fitting
            .OrderByDescending(p => p.Accuracy.HasValue)
            .ThenByDescending(p => p.Accuracy ?? 0)
            .ThenByDescending(p => p.Accuracy.HasValue ? default : p.Precision)
            .ThenBy(p => p.EstimatedEnergyPerImage)
            .ThenBy(p => p.Latency?.SingleImage ?? TimeSpan.MaxValue)
            .ThenBy(p => p.WeightBytes)
            .FirstOrDefault();
        return new PrecisionSelection(budget, chosen?.Precision, violations);
    }

    /// <summary>Every limit of <paramref name="budget"/> that <paramref name="profile"/> violates.</summary>
    public static IEnumerable<BudgetViolation> Violations(SwitchProfile profile, PrecisionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(budget);
        var p = profile.Precision;
        if (budget.MaxLatency is { } maxLatency)
        {
            if (profile.Latency is not { } latency)
                yield return new(p, BudgetLimit.Latency, "latency not measured (call MeasureLatency)");
            else if (latency.SingleImage > maxLatency)
                yield return new(p, BudgetLimit.Latency, Invariant($"latency {latency.SingleImage.TotalMilliseconds:0.###} ms > {maxLatency.TotalMilliseconds:0.###} ms"));
        }
        if (budget.MaxWorkingBytes is { } maxBytes)
        {
            if (profile.PeakWorkingBytes is not { } bytes)
                yield return new(p, BudgetLimit.WorkingBytes, "working memory unknown (no compiled inference plan for this architecture)");
            else if (bytes > maxBytes)
                yield return new(p, BudgetLimit.WorkingBytes, Invariant($"working memory {bytes} bytes > {maxBytes} bytes"));
        }
        if (budget.MaxEnergyPerImage is { } maxEnergy && profile.EstimatedEnergyPerImage > maxEnergy)
            yield return new(p, BudgetLimit.EnergyPerImage, Invariant($"estimated energy {profile.EstimatedEnergyPerImage:G3} J > {maxEnergy:G3} J per image"));
        if (budget.MinAccuracy is { } minAccuracy)
        {
            if (profile.Accuracy is not { } accuracy)
                yield return new(p, BudgetLimit.Accuracy, "accuracy unknown (trained without ValidationSet or ProfileHoldoutFraction)");
            else if (accuracy < minAccuracy)
                yield return new(p, BudgetLimit.Accuracy, Invariant($"accuracy {accuracy:P2} < {minAccuracy:P2}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
