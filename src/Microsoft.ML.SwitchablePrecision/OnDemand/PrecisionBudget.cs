namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// Limits a switch must meet, for <see cref="SwitchablePrecisionTransformer.SelectPrecision"/>. Every limit is
/// optional (null = no limit); each is checked when it is set.
/// </summary>
/// <example><c>spNet.Precision = spNet.SelectPrecision(new PrecisionBudget { MaxLatency = TimeSpan.FromMilliseconds(2) }).Precision;</c></example>
public sealed class PrecisionBudget
{
    private readonly TimeSpan? _maxLatency;
    private readonly long? _maxWorkingBytes;
    private readonly double? _maxEnergyPerImage;
    private readonly double? _minAccuracy;

    /// <summary>The longest acceptable batch-1 prediction (<see cref="SwitchLatency.SingleImage"/>); above zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? MaxLatency
    {
        get => _maxLatency;
        init => _maxLatency = value is { } v && v <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(MaxLatency), v, "PrecisionBudget.MaxLatency must be above zero.")
            : value;
    }

    /// <summary>The most bytes of activations and scratch one prediction may use (<see cref="SwitchProfile.PeakWorkingBytes"/>); above zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long? MaxWorkingBytes
    {
        get => _maxWorkingBytes;
        init => _maxWorkingBytes = value is { } v && v <= 0
            ? throw new ArgumentOutOfRangeException(nameof(MaxWorkingBytes), v, "PrecisionBudget.MaxWorkingBytes must be above zero.")
            : value;
    }

    /// <summary>The most estimated energy per image, in joules (<see cref="SwitchProfile.EstimatedEnergyPerImage"/>); finite and above zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite or not above zero.</exception>
    public double? MaxEnergyPerImage
    {
        get => _maxEnergyPerImage;
        init => _maxEnergyPerImage = value is { } v && !(double.IsFinite(v) && v > 0)
            ? throw new ArgumentOutOfRangeException(nameof(MaxEnergyPerImage), v, "PrecisionBudget.MaxEnergyPerImage must be a finite number of joules above zero.")
            : value;
    }

    /// <summary>The lowest acceptable top-1 accuracy (<see cref="SwitchProfile.Accuracy"/>), 0 to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not within 0 to 1.</exception>
    public double? MinAccuracy
    {
        get => _minAccuracy;
        init => _minAccuracy = value is { } v && !(v >= 0 && v <= 1)
            ? throw new ArgumentOutOfRangeException(nameof(MinAccuracy), v, "PrecisionBudget.MinAccuracy must be a fraction from 0 to 1 (0.9 for 90 %).")
            : value;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (MaxLatency is { } l) parts.Add(FormattableString.Invariant($"latency <= {l.TotalMilliseconds:0.###} ms"));
        if (MaxWorkingBytes is { } b) parts.Add(FormattableString.Invariant($"working memory <= {b} bytes"));
        if (MaxEnergyPerImage is { } e) parts.Add(FormattableString.Invariant($"energy <= {e:G3} J per image"));
        if (MinAccuracy is { } a) parts.Add(FormattableString.Invariant($"accuracy >= {a:P2}"));
        return parts.Count == 0 ? "no limits" : string.Join(", ", parts);
    }
}
