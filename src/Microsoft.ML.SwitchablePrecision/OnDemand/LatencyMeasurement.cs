using System.Diagnostics;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// Times every switch through <see cref="SwitchablePrecisionTransformer.Score"/>, the call predictions and
/// <c>Transform</c> batches make, within a fixed time budget: one untimed warm-up call per switch and batch size (it
/// compiles the switch's plan) at batch 1, then timed calls until the switch's share of the budget is spent (at least
/// three, so that one call the scheduler paused on a loaded machine is not the result), the median kept. The batch measurement uses <see cref="SpNetOptions.ScoringBatchSize"/> images, at most
/// <see cref="MaxBatch"/>: one call at 256 images can alone take longer than the whole budget on a loaded machine, and
/// the time per image changes little past a few dozen images.
/// </summary>
internal static class LatencyMeasurement
{
    /// <summary>The whole measurement's time budget after warm-up; every switch and batch size takes at least three timed calls.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    /// <summary>The largest batch timed.</summary>
    public const int MaxBatch = 32;

    private const int MinRuns = 3, MaxRuns = 25;

    public static SwitchLatency[] Measure(SwitchablePrecisionTransformer transformer)
    {
        int switches = transformer.Switches.Count;
        int batch = Math.Clamp(transformer.Options.ScoringBatchSize, 1, MaxBatch);
        var single = new float[transformer.Geometry.Size];
        var batchPixels = new float[(long)batch * transformer.Geometry.Size];
        var share = Budget / (2 * switches);
        var result = new SwitchLatency[switches];
        for (int s = 0; s < switches; s++)
        {
            var one = Median(() => transformer.Score(single, 1, s), share, warmUp: true);
            var many = Median(() => transformer.Score(batchPixels, batch, s), share, warmUp: false);
            result[s] = new SwitchLatency(one, batch, many);
        }
        return result;
    }

    private static TimeSpan Median(Action call, TimeSpan share, bool warmUp)
    {
        if (warmUp) call();
        var times = new List<TimeSpan>();
        long start = Stopwatch.GetTimestamp();
        do
        {
            long t = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(t));
        }
        while (times.Count < MinRuns || (times.Count < MaxRuns && Stopwatch.GetElapsedTime(start) < share));
        times.Sort();
        return times[times.Count / 2];
    }
}
