using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// Adjusts a model's <see cref="SwitchablePrecisionTransformer.Precision"/> to the load of the moment. Attach it with
/// <c>spNet.Governor = PrecisionGovernor.ForLatency(TimeSpan.FromMilliseconds(5))</c>; the transformer reports every
/// prediction it serves (PredictionEngine rows and Transform batches at the active switch). Thread-safe, and an
/// observation never makes a prediction wait for another thread.
/// </summary>
/// <remarks>
/// The switches form a ladder in <see cref="Precision.CompareTo"/> order, without those below
/// <see cref="PrecisionGovernorOptions.MinAccuracy"/>. Once <see cref="PrecisionGovernorOptions.MinimumDwell"/> has passed
/// at a switch and <see cref="PrecisionGovernorOptions.MinimumSamples"/> observations at it lie in the window, the
/// governor compares the window's percentile with the target: above it, one step down; below
/// <see cref="PrecisionGovernorOptions.Headroom"/> times the target as expected at the next switch up, one step up.
/// For latency, "expected" is the current percentile times the ratio seen when the governor last left that switch
/// (the percentile before the step down over the first one after it), so a load that forced a step down does not
/// pull the governor back up until it has really fallen: under steady load it settles. The window restarts at every
/// change, since observations at another switch say nothing about this one.
/// </remarks>
public sealed class PrecisionGovernor
{
    private readonly object _gate = new();
    private readonly Func<TimeSpan, int, double> _measure;
    private readonly bool _scalesWithSwitch;
    private readonly string _quantity;
    private readonly string _unit;
    private readonly PrecisionGovernorOptions _options;
    private readonly ObservationWindow _window;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(int Switch, DateTimeOffset Time, double Value)> _pending = new();
    private Precision[] _switches = [];
    private int[] _ladder = [];
    private double?[] _stepUpRatio = [];
    private double? _leftAbove;
    private int _level = -1;
    private DateTimeOffset _lastChange;
    private Action<int>? _setActive;
    private Action<PrecisionChangedEventArgs>? _announce;

    private PrecisionGovernor(double target, double percentile, Func<TimeSpan, int, double> measure, bool scalesWithSwitch,
        string quantity, string unit, PrecisionGovernorOptions? options)
    {
        _options = options ?? new PrecisionGovernorOptions();
        _options.Validate();
        Target = target;
        Percentile = percentile;
        _measure = measure;
        _scalesWithSwitch = scalesWithSwitch;
        _quantity = quantity;
        _unit = unit;
        _window = new ObservationWindow(_options.Window, _options.MaximumSamples);
    }

    /// <summary>
    /// A governor that holds the <paramref name="percentile"/> of the time per served image at or below
    /// <paramref name="target"/> (a PredictionEngine prediction is one image; a Transform batch counts its time divided
    /// by its images).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="target"/> is not above zero, <paramref name="percentile"/>
    /// is not above 0 and at most 1, or an option is out of range.</exception>
    public static PrecisionGovernor ForLatency(TimeSpan target, double percentile = 0.95, PrecisionGovernorOptions? options = null)
    {
        if (target <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(target), target, "The latency target must be above zero.");
        CheckPercentile(percentile);
        return new PrecisionGovernor(target.TotalMilliseconds, percentile, (elapsed, images) => elapsed.TotalMilliseconds / Math.Max(1, images),
            scalesWithSwitch: true, "latency", " ms", options);
    }

    /// <summary>
    /// A governor that steps down while memory pressure (0 = none, 1 = at the limit) exceeds <paramref name="maxPressure"/>,
    /// sampled at every served prediction. <paramref name="pressure"/> is the caller's signal; by default the managed heap's
    /// view from <see cref="GC.GetGCMemoryInfo()"/>: <c>MemoryLoadBytes / HighMemoryLoadThresholdBytes</c> as of the last
    /// garbage collection.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPressure"/> is not above 0 and at most 1,
    /// <paramref name="percentile"/> is not above 0 and at most 1, or an option is out of range.</exception>
    public static PrecisionGovernor ForMemoryPressure(double maxPressure = 0.85, Func<double>? pressure = null, double percentile = 0.5,
        PrecisionGovernorOptions? options = null)
    {
        if (!(maxPressure > 0 && maxPressure <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxPressure), maxPressure, "The memory pressure limit must be above 0 and at most 1.");
        CheckPercentile(percentile);
        var signal = pressure ?? GcMemoryPressure;
        return new PrecisionGovernor(maxPressure, percentile, (_, _) => signal(), scalesWithSwitch: false, "memory pressure", "", options);
    }

    /// <summary>The limit the percentile is held under: milliseconds per image, or a memory pressure fraction.</summary>
    public double Target { get; }

    /// <summary>Which percentile of the window is compared with <see cref="Target"/> (0.95 = p95).</summary>
    public double Percentile { get; }

    /// <summary>The switch the governor holds, or null while it is not attached to a transformer.</summary>
    public Precision? Current
    {
        get
        {
            lock (_gate) return _level < 0 ? null : _switches[_ladder[_level]];
        }
    }

    /// <summary>The switches the governor may use, cheapest first (the ladder); empty while not attached.</summary>
    public IReadOnlyList<Precision> Ladder
    {
        get
        {
            lock (_gate) return _ladder.Select(i => _switches[i]).ToArray();
        }
    }

    /// <summary>The options the governor runs with.</summary>
    public PrecisionGovernorOptions Options => _options;

    /// <summary>
    /// Records one served call: <paramref name="elapsed"/> for <paramref name="images"/> images at <paramref name="servedAt"/>.
    /// The attached transformer calls this itself; call it only for predictions made another way. Calls at another switch
    /// than <see cref="Current"/> are ignored.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="servedAt"/> is not a switch of the attached model.</exception>
    public void Observe(Precision servedAt, TimeSpan elapsed, int images = 1)
    {
        var switches = Volatile.Read(ref _switches);
        int index = Array.IndexOf(switches, servedAt);
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(servedAt), servedAt, $"{servedAt} is not a switch of the governed model ({string.Join(", ", switches)}).");
        Observe(index, elapsed, images);
    }

    internal void Observe(int switchIndex, TimeSpan elapsed, int images)
    {
        _pending.Enqueue((switchIndex, _options.Clock.GetUtcNow(), _measure(elapsed, images)));
        // No serving thread waits for the governor: whoever holds the gate records every pending observation, and one
        // that finds it taken leaves its observation to the holder (which looks again after letting go). Waiting here
        // would make predictions queue behind a governor thread the scheduler has paused, on a loaded machine for
        // milliseconds: latency the governor itself would add.
        while (!_pending.IsEmpty && Monitor.TryEnter(_gate))
        {
            List<PrecisionChangedEventArgs>? changes;
            Action<PrecisionChangedEventArgs>? announce;
            try
            {
                announce = _announce;
                changes = RecordPending();
            }
            finally
            {
                Monitor.Exit(_gate);
            }
            if (changes is not null && announce is not null)
                foreach (var change in changes) announce(change);
        }
    }

    private List<PrecisionChangedEventArgs>? RecordPending()
    {
        List<PrecisionChangedEventArgs>? changes = null;
        while (_pending.TryDequeue(out var observation))
        {
            if (_level < 0 || observation.Switch != _ladder[_level]) continue;
            _window.Add(observation.Time, observation.Value);
            if (observation.Time - _lastChange >= _options.MinimumDwell && _window.Count >= _options.MinimumSamples
                && Decide(observation.Time) is { } change)
                (changes ??= []).Add(change);
        }
        return changes;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        lock (_gate)
            return Invariant($"{_quantity} p{Percentile * 100:0.#} target {Target:0.###}{_unit}, at {(_level < 0 ? "(not attached)" : _switches[_ladder[_level]].ToString())}");
    }

    internal void Attach(IReadOnlyList<Precision> switches, IReadOnlyList<double?> accuracies, int active,
        Action<int> setActive, Action<PrecisionChangedEventArgs> announce)
    {
        PrecisionChangedEventArgs? change = null;
        lock (_gate)
        {
            if (_setActive is not null)
                throw new InvalidOperationException("This PrecisionGovernor already governs another model; create one governor per model.");
            var ladder = Enumerable.Range(0, switches.Count)
                .Where(i => _options.MinAccuracy is not { } floor || accuracies[i] is { } a && a >= floor)
                .OrderBy(i => switches[i])
                .ToArray();
            if (ladder.Length == 0)
                throw new InvalidOperationException(Invariant(
                    $"No switch meets the governor's accuracy floor {_options.MinAccuracy:P2}: ") +
                    string.Join(", ", switches.Select((s, i) => $"{s} {(accuracies[i] is { } a ? a.ToString("P2", CultureInfo.InvariantCulture) : "unknown")}")) + ".");
            Volatile.Write(ref _switches, switches.ToArray());
            _ladder = ladder;
            _stepUpRatio = new double?[ladder.Length];
            _setActive = setActive;
            _announce = announce;
            var now = _options.Clock.GetUtcNow();
            int position = Array.IndexOf(ladder, active);
            if (position >= 0) MoveTo(position, now);
            else
            {
                _level = 0;
                change = ChangeTo(0, active, now, Invariant($"{switches[active]} is below the accuracy floor {_options.MinAccuracy:P2}"));
            }
        }
        if (change is not null) announce(change);
    }

    internal void Detach()
    {
        lock (_gate)
        {
            _setActive = null;
            _announce = null;
            _level = -1;
            _window.Clear();
            _pending.Clear();
        }
    }

    /// <summary>The model's precision was set by hand: continue from there.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The switch is below the accuracy floor.</exception>
    internal void Follow(int switchIndex)
    {
        lock (_gate)
        {
            if (_level < 0) return;
            int position = Array.IndexOf(_ladder, switchIndex);
            if (position < 0)
                throw new ArgumentOutOfRangeException("value", _switches[switchIndex],
                    Invariant($"{_switches[switchIndex]} is below the governor's accuracy floor {_options.MinAccuracy:P2}; set Governor = null for manual control."));
            MoveTo(position, _options.Clock.GetUtcNow());
        }
    }

    private PrecisionChangedEventArgs? Decide(DateTimeOffset now)
    {
        double observed = _window.Percentile(Percentile);
        if (_leftAbove is { } above && _level + 1 < _ladder.Length)
        {
            _stepUpRatio[_level + 1] = Math.Max(1, above / Math.Max(observed, double.Epsilon));
            _leftAbove = null;
        }
        string p = Invariant($"p{Percentile * 100:0.#} {_quantity} {observed:0.###}{_unit}");
        if (observed > Target && _level > 0)
        {
            int from = _ladder[_level];
            _level--;
            var change = ChangeTo(_level, from, now, Invariant($"{p} above the target {Target:0.###}{_unit}"));
            _leftAbove = observed;
            return change;
        }
        if (_level + 1 < _ladder.Length)
        {
            double ratio = _scalesWithSwitch ? _stepUpRatio[_level + 1] ?? 1 : 1;
            double expected = observed * ratio;
            if (expected < _options.Headroom * Target)
            {
                int from = _ladder[_level];
                _level++;
                return ChangeTo(_level, from, now,
                    Invariant($"{p}, {expected:0.###}{_unit} expected at {_switches[_ladder[_level]]}, below {_options.Headroom:P0} of the target {Target:0.###}{_unit}"));
            }
        }
        return null;
    }

    private PrecisionChangedEventArgs ChangeTo(int position, int fromIndex, DateTimeOffset now, string reason)
    {
        MoveTo(position, now);
        _setActive!(_ladder[position]);
        return new PrecisionChangedEventArgs(_switches[fromIndex], _switches[_ladder[position]], reason, now);
    }

    private void MoveTo(int position, DateTimeOffset now)
    {
        _level = position;
        _lastChange = now;
        _leftAbove = null;
        _window.Clear();
    }

    private static double GcMemoryPressure()
    {
        var info = GC.GetGCMemoryInfo();
        return info.HighMemoryLoadThresholdBytes <= 0 ? 0 : Math.Clamp((double)info.MemoryLoadBytes / info.HighMemoryLoadThresholdBytes, 0, 1);
    }

    private static void CheckPercentile(double percentile)
    {
        if (!(percentile > 0 && percentile <= 1))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be above 0 and at most 1 (0.95 for p95).");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
