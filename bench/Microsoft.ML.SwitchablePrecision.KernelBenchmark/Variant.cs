using System.Diagnostics;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark;

/// <summary>One timed call: milliseconds per call, measured over repetitions of a fixed number of calls.</summary>
internal sealed class Variant(string name, int bits, Action call)
{
    private readonly List<double> _millisecondsPerCall = [];
    private int _callsPerRepetition = 1;

    public string Name { get; } = name;

    public int Bits { get; } = bits;

    /// <summary>Runs the warm-up, then picks how many calls make one repetition last at least <paramref name="minimumMs"/>.</summary>
    public void Calibrate(double minimumMs, int warmup)
    {
        for (int i = 0; i < warmup; i++) call();
        var clock = Stopwatch.StartNew();
        call();
        double single = Math.Max(clock.Elapsed.TotalMilliseconds, 1e-4);
        _callsPerRepetition = Math.Max(1, (int)Math.Ceiling(minimumMs / single));
    }

    public void Measure()
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < _callsPerRepetition; i++) call();
        _millisecondsPerCall.Add(clock.Elapsed.TotalMilliseconds / _callsPerRepetition);
    }

    public double Median()
    {
        var sorted = _millisecondsPerCall.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
