namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>A change of <see cref="SwitchablePrecisionTransformer.Precision"/> made by a <see cref="PrecisionGovernor"/>.</summary>
public sealed class PrecisionChangedEventArgs : EventArgs
{
    internal PrecisionChangedEventArgs(Precision previous, Precision current, string reason, DateTimeOffset time)
    {
        Previous = previous;
        Current = current;
        Reason = reason;
        Time = time;
    }

    /// <summary>The switch before the change.</summary>
    public Precision Previous { get; }

    /// <summary>The switch after the change.</summary>
    public Precision Current { get; }

    /// <summary>Why: the observed load against the governor's target, for example <c>p95 latency 12.1 ms above the target 10 ms</c>.</summary>
    public string Reason { get; }

    /// <summary>When the change was made, on the governor's clock.</summary>
    public DateTimeOffset Time { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Previous} -> {Current}: {Reason}";
}
