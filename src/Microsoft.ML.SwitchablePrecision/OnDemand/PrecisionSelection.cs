namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// The answer of <see cref="SwitchablePrecisionTransformer.SelectPrecision"/>: the chosen switch, or that no switch
/// meets the budget together with every limit each switch violates.
/// </summary>
public sealed class PrecisionSelection
{
    private readonly Precision? _chosen;

    internal PrecisionSelection(PrecisionBudget budget, Precision? chosen, IReadOnlyList<BudgetViolation> violations)
    {
        Budget = budget;
        _chosen = chosen;
        Violations = violations;
    }

    /// <summary>The budget that was checked.</summary>
    public PrecisionBudget Budget { get; }

    /// <summary>Whether some switch meets every limit.</summary>
    public bool Fits => _chosen is not null;

    /// <summary>The chosen switch: the most accurate one within every limit (ties: the cheapest).</summary>
    /// <exception cref="InvalidOperationException">No switch fits; the message lists what each switch violates.</exception>
    public Precision Precision => _chosen
        ?? throw new InvalidOperationException($"No switch fits the budget ({Budget}): {string.Join("; ", Violations)}.");

    /// <summary>Every limit every switch violates (switches that fit have no entry), in switch order.</summary>
    public IReadOnlyList<BudgetViolation> Violations { get; }

    /// <summary>The limits <paramref name="precision"/> violates (empty when it fits).</summary>
    public IReadOnlyList<BudgetViolation> ViolationsOf(Precision precision) => Violations.Where(v => v.Precision == precision).ToArray();

    /// <inheritdoc/>
    public override string ToString() => Fits ? $"{_chosen} fits {Budget}" : $"no switch fits {Budget}: {string.Join("; ", Violations)}";
}
