namespace SpNet.Serve.LoadTest;

/// <summary>What one load-test run recorded.</summary>
/// <param name="Name">"governor" or the fixed switch.</param>
/// <param name="Samples">Every answered request.</param>
/// <param name="ActiveSwitch">The active switch sampled every 100 ms: (seconds since start, switch).</param>
/// <param name="Changes">The governor's precision changes, as "second: Previous -> Current: reason".</param>
/// <param name="Failures">Requests that did not get a valid prediction.</param>
/// <param name="EnginesCreated">PredictionEngines the pool created.</param>
internal sealed record LoadRunResult(string Name, IReadOnlyList<LoadSample> Samples, IReadOnlyList<(double Second, string Switch)> ActiveSwitch,
    IReadOnlyList<string> Changes, int Failures, int EnginesCreated)
{
    /// <summary>The switches requests were scored at, most precise first as the model lists them.</summary>
    public IReadOnlyList<string> SwitchesUsed(IReadOnlyList<string> modelOrder) =>
        modelOrder.Reverse().Where(s => Samples.Any(x => x.Switch == s)).ToArray();

    /// <summary>The nearest-rank percentile <paramref name="p"/> of <paramref name="values"/>.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>p95 of <paramref name="time"/> over the whole run.</summary>
    public double P95(Func<LoadSample, double> time) => Percentile(Samples.Select(time), 0.95);

    /// <summary>p95 of <paramref name="time"/> of the requests finished in each whole second: (second, p95 ms).</summary>
    public IReadOnlyList<(int Second, double P95)> P95PerSecond(Func<LoadSample, double> time) =>
        Samples.GroupBy(s => (int)s.Second).OrderBy(g => g.Key).Select(g => (g.Key, Percentile(g.Select(time), 0.95))).ToArray();
}
