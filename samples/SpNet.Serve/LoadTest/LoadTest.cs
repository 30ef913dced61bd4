using Microsoft.ML.SwitchablePrecision;
using SpNet.Serve.Serving;

namespace SpNet.Serve.LoadTest;

/// <summary>
/// The whole <c>--load-test</c>: a calibration, one ramp run with the governor, one at the most precise switch fixed,
/// then the chart and the table.
/// </summary>
/// <remarks>
/// The calibration serves each switch, fixed, to the peak number of clients for a few seconds and records the p95 of
/// the network's time per request, the quantity the governor observes. Without a given target the test aims at the
/// geometric mean of the cheapest and the most precise switch's loaded p95: a target the cheapest switch meets with the
/// same relative margin by which the most precise one misses it, whatever this machine's speed and load.
/// </remarks>
internal static class LoadTest
{
    /// <summary>Runs all and writes <see cref="LoadReport.ChartFileName"/> and <see cref="LoadReport.TableFileName"/>; returns the table.</summary>
    public static async Task<string> RunAsync(LoadTestSettings settings, TextWriter log)
    {
        var images = LabelledImage.FromFolder(settings.ImageFolder);
        IReadOnlyList<Precision> switches;
        using (var probe = ServedModel.Load(settings.ModelPath)) switches = probe.SpNet.Switches.ToArray();
        var highest = switches.Max();
        log.WriteLine($"{images.Count} images, switches {string.Join(", ", switches)}; calibration {settings.CalibrationSeconds:0.#} s per switch " +
            $"at {settings.PeakClients} clients, then {settings.Duration.TotalSeconds:0} s per run, 1 -> {settings.PeakClients} -> 1 clients");

        var calibrationTime = TimeSpan.FromSeconds(settings.CalibrationSeconds);
        // A prediction's time under load grows with the threads that compete for the cores, and the thread pool grows
        // during a run (measured: 6 threads after the calibration, 10 after the ramps, and each switch's p95 about
        // twice as high at the ramp's peak as in its calibration). A fixed floor of threads and an unrecorded loaded
        // run of every switch put the calibration and the ramps in the same state, so the target derived from the one
        // is reachable in the other.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 2 * settings.PeakClients + Environment.ProcessorCount), io);
        Task<LoadRunResult> AtPeak(Precision precision, TimeSpan duration) => LoadTestRun.RunAsync(settings.ModelPath, images, precision,
            TimeSpan.MaxValue, duration, settings.PeakClients, _ => settings.PeakClients);
        foreach (var precision in switches.Order()) await AtPeak(precision, calibrationTime / 2);
        var calibration = new List<LoadRunResult>();
        foreach (var precision in switches.Order())
        {
            var run = await AtPeak(precision, calibrationTime);
            calibration.Add(run);
            log.WriteLine($"calibration {precision}: network p95 {run.P95(s => s.NetworkMilliseconds):0.00} ms over {run.Samples.Count} requests, {ThreadPool.ThreadCount} pool threads");
        }
        var target = settings.Target ?? TimeSpan.FromMilliseconds(Math.Round(
            Math.Sqrt(calibration[0].P95(s => s.NetworkMilliseconds) * calibration[^1].P95(s => s.NetworkMilliseconds)), 2));
        log.WriteLine($"target p95 {target.TotalMilliseconds:0.##} ms{(settings.Target is null ? " (from the calibration)" : "")}");

        int Ramp(TimeSpan elapsed) => LoadRamp.ClientsAt(elapsed, settings.Duration, settings.PeakClients);
        var governed = await LoadTestRun.RunAsync(settings.ModelPath, images, null, target, settings.Duration, settings.PeakClients, Ramp);
        log.WriteLine($"governor: {governed.Samples.Count} requests, {governed.Changes.Count} changes");
        var fixedRun = await LoadTestRun.RunAsync(settings.ModelPath, images, highest, target, settings.Duration, settings.PeakClients, Ramp);
        log.WriteLine($"fixed {highest}: {fixedRun.Samples.Count} requests, {ThreadPool.ThreadCount} pool threads");

        LoadRunResult[] runs = [governed, fixedRun];
        var order = switches.Select(s => s.ToString()).ToArray();
        double targetMs = target.TotalMilliseconds;
        string table = LoadReport.Table(runs, calibration, order, targetMs, settings.PeakClients);
        Directory.CreateDirectory(settings.Output);
        File.WriteAllText(Path.Combine(settings.Output, LoadReport.TableFileName), table);
        LoadChart.Write(Path.Combine(settings.Output, LoadReport.ChartFileName), runs, switches.Order().Select(s => s.ToString()).ToArray(),
            targetMs, settings.Duration.TotalSeconds);
        return table;
    }
}
