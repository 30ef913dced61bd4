namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>How a <see cref="PrecisionGovernor"/> reacts; the defaults suit a service answering tens of requests per second or more.</summary>
public sealed class PrecisionGovernorOptions
{
    /// <summary>How far back observations count (the sliding window). Default 2 seconds.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Observations at the current switch needed before any decision. Default 20.</summary>
    public int MinimumSamples { get; init; } = 20;

    /// <summary>The shortest time at one switch before the next change. Default 1 second.</summary>
    public TimeSpan MinimumDwell { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The hysteresis: the governor steps up only when the load expected at the next switch up is below this fraction of
    /// the target (it steps down as soon as the target is exceeded). Above 0 and below 1; default 0.7.
    /// </summary>
    public double Headroom { get; init; } = 0.7;

    /// <summary>The accuracy floor: switches whose saved accuracy is below it, or unknown, are never used. Null (default): no floor.</summary>
    public double? MinAccuracy { get; init; }

    /// <summary>The clock of the window and the dwell (a fake one in tests). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The most observations kept in the window, whatever their age. Default 4096.</summary>
    public int MaximumSamples { get; init; } = 4096;

    internal void Validate()
    {
        if (Window <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Window), Window, "PrecisionGovernorOptions.Window must be above zero.");
        if (MinimumDwell < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MinimumDwell), MinimumDwell, "PrecisionGovernorOptions.MinimumDwell must be zero or more.");
        if (MinimumSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(MinimumSamples), MinimumSamples, "PrecisionGovernorOptions.MinimumSamples must be at least 1.");
        if (MaximumSamples < MinimumSamples)
            throw new ArgumentOutOfRangeException(nameof(MaximumSamples), MaximumSamples,
                $"PrecisionGovernorOptions.MaximumSamples must be at least MinimumSamples ({MinimumSamples}).");
        if (!(Headroom > 0 && Headroom < 1))
            throw new ArgumentOutOfRangeException(nameof(Headroom), Headroom, "PrecisionGovernorOptions.Headroom must be above 0 and below 1.");
        if (MinAccuracy is { } a && !(a >= 0 && a <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinAccuracy), a, "PrecisionGovernorOptions.MinAccuracy must be a fraction from 0 to 1.");
        ArgumentNullException.ThrowIfNull(Clock, nameof(Clock));
    }
}
