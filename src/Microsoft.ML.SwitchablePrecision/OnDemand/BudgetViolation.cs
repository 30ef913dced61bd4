namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>One limit a switch does not meet.</summary>
/// <param name="Precision">The switch.</param>
/// <param name="Limit">The limit it violates.</param>
/// <param name="Reason">The switch's value and the limit, or why the value is unknown (an unknown value never meets a limit).</param>
public sealed record BudgetViolation(Precision Precision, BudgetLimit Limit, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Precision}: {Reason}";
}
