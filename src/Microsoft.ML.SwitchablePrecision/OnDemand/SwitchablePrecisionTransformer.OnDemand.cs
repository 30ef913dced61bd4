using System.Diagnostics;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace Microsoft.ML.SwitchablePrecision;

// Precision on demand: profiles, budget selection and the governor (issue 15).
public sealed partial class SwitchablePrecisionTransformer
{
    private readonly object _onDemandGate = new();
    private readonly object _latencyGate = new();
    private double?[] _accuracies = [];
    private SwitchLatency[]? _latencies;
    private IReadOnlyList<SwitchProfile>? _staticProfiles;
    private PrecisionGovernor? _governor;

    /// <summary>
    /// Raised after the <see cref="Governor"/> changes <see cref="Precision"/>, with the reason; the change is also logged
    /// on the model's ML.NET channel (source <c>SpNet</c>). Handlers run on the thread whose prediction triggered it.
    /// </summary>
    public event EventHandler<PrecisionChangedEventArgs>? PrecisionChanged;

    /// <summary>
    /// The profile of every switch, ordered like <see cref="Switches"/>: accuracy (saved with the model), sizes, MACs and
    /// estimated energy (from <see cref="GetPrecisionReport"/>), and the latency measured on this machine. The first read
    /// in a process measures the latency if <see cref="MeasureLatency"/> has not run yet (a few hundred milliseconds, once:
    /// later reads return the cached figures; they are never saved or read from the model file).
    /// </summary>
    public IReadOnlyList<SwitchProfile> Profiles
    {
        get
        {
            ThrowIfDisposed();
            var latencies = MeasuredLatency();
            return StaticProfiles().Select((p, i) => p with { Latency = latencies[i] }).ToArray();
        }
    }

    /// <summary>
    /// Times every switch on this machine through the path predictions take (the compiled inference plan where the
    /// scoring policy uses it), at batch 1 and at <see cref="SpNetOptions.ScoringBatchSize"/> (at most 32 images), in a few
    /// hundred milliseconds plus the first compilation of each switch's plan; the result is kept in <see cref="Profiles"/>
    /// for the life of this transformer in this process and never saved.
    /// Calling it again measures again (for example after the machine's load changed).
    /// </summary>
    public IReadOnlyList<SwitchLatency> MeasureLatency()
    {
        ThrowIfDisposed();
        return MeasureAndCache();
    }

    /// <summary>
    /// The most accurate switch within every limit of <paramref name="budget"/> (ties: the cheapest), or a result saying
    /// that none fits and which limit each switch violates (<see cref="PrecisionSelector.Select"/> has the rule).
    /// Reads <see cref="Profiles"/>, so the first call in a process measures latency if nothing did yet. The one-line use:
    /// <c>spNet.Precision = spNet.SelectPrecision(budget).Precision;</c> (which throws, naming the violations, if nothing fits).
    /// </summary>
    public PrecisionSelection SelectPrecision(PrecisionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return PrecisionSelector.Select(Profiles, budget);
    }

    /// <summary>
    /// The governor that adjusts <see cref="Precision"/> to the load of the predictions served; null (default) is manual
    /// control. Not saved with the model. A governor serves one transformer at a time. Setting <see cref="Precision"/>
    /// while a governor is attached moves the governor to that switch (a switch below the governor's accuracy floor
    /// throws <see cref="ArgumentOutOfRangeException"/>). Attaching a governor whose floor the active switch is below
    /// changes <see cref="Precision"/> at once to the cheapest switch at the floor.
    /// </summary>
    /// <exception cref="InvalidOperationException">The governor is attached to another transformer, or its accuracy floor
    /// excludes every switch of this model.</exception>
    public PrecisionGovernor? Governor
    {
        get => Volatile.Read(ref _governor);
        set
        {
            ThrowIfDisposed();
            lock (_onDemandGate)
            {
                if (ReferenceEquals(value, _governor)) return;
                value?.Attach(Switches, SwitchAccuracies, ActiveSwitchIndex,
                    index => Volatile.Write(ref _activeSwitch, index), Announce);
                _governor?.Detach();
                Volatile.Write(ref _governor, value);
            }
        }
    }

    /// <summary>Top-1 accuracy of each switch on the held-out data, in switch order (null entries when unknown).</summary>
    internal IReadOnlyList<double?> SwitchAccuracies
    {
        get => _accuracies.Length == Switches.Count ? _accuracies : new double?[Switches.Count];
        set
        {
            if (value.Count != Switches.Count)
                throw new ArgumentException($"{value.Count} accuracies given for {Switches.Count} switches.", nameof(value));
            _accuracies = value.ToArray();
            _staticProfiles = null;
        }
    }

    /// <summary>Tells the governor how long a call at <paramref name="switchIndex"/> took for <paramref name="images"/> images.</summary>
    internal void ReportServed(int switchIndex, int images, long startTimestamp)
    {
        if (Volatile.Read(ref _governor) is { } governor)
            governor.Observe(switchIndex, Stopwatch.GetElapsedTime(startTimestamp), images);
    }

    /// <summary>A manual change of <see cref="Precision"/>: the governor continues from that switch.</summary>
    private void FollowManualChange(int switchIndex) => Volatile.Read(ref _governor)?.Follow(switchIndex);

    /// <summary>The latencies of this process: measured once, on first use, by whichever caller comes first.</summary>
    private SwitchLatency[] MeasuredLatency()
    {
        if (Volatile.Read(ref _latencies) is { } cached) return cached;
        lock (_latencyGate)
            return Volatile.Read(ref _latencies) ?? MeasureAndCache();
    }

    private SwitchLatency[] MeasureAndCache()
    {
        lock (_latencyGate)
        {
            var measured = LatencyMeasurement.Measure(this);
            Volatile.Write(ref _latencies, measured);
            return measured;
        }
    }

    private IReadOnlyList<SwitchProfile> StaticProfiles()
    {
        if (Volatile.Read(ref _staticProfiles) is { } cached) return cached;
        var report = GetPrecisionReport();
        var accuracies = SwitchAccuracies;
        var profiles = report.Switches.Select((cost, i) =>
            SwitchProfile.From(cost, accuracies[i], PlanWorkingBytes(i), latency: null)).ToArray();
        Volatile.Write(ref _staticProfiles, profiles);
        return profiles;
    }

    private long? PlanWorkingBytes(int switchIndex) => PlanFor(switchIndex) is { } plan ? WorkingMemory.PeakBytes(plan) : null;

    private void Announce(PrecisionChangedEventArgs change)
    {
        using (var channel = Host.Start("Governor"))
            channel.Info($"Precision {change.Previous} -> {change.Current}: {change.Reason}");
        PrecisionChanged?.Invoke(this, change);
    }
}
