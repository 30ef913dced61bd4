namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;

/// <summary>One timed kernel call on <see cref="ThreadClock"/>: milliseconds per call over repetitions of a fixed call count.</summary>
internal sealed class TimedCall(string name, Action call)
{
    private readonly List<double> _millisecondsPerCall = [];
    private int _callsPerRepetition = 1;

    public string Name { get; } = name;

    public void Calibrate(double minimumMs, int warmup)
    {
        for (int i = 0; i < warmup; i++) call();
        double start = ThreadClock.NowMs();
        call();
        double single = Math.Max(ThreadClock.NowMs() - start, 1e-4);
        _callsPerRepetition = Math.Max(1, (int)Math.Ceiling(minimumMs / single));
    }

    public void Measure()
    {
        double start = ThreadClock.NowMs();
        for (int i = 0; i < _callsPerRepetition; i++) call();
        _millisecondsPerCall.Add((ThreadClock.NowMs() - start) / _callsPerRepetition);
    }

    /// <summary>Milliseconds per call of each repetition, in the order measured.</summary>
    public IReadOnlyList<double> Samples => _millisecondsPerCall;

    public double Median()
    {
        var sorted = _millisecondsPerCall.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
