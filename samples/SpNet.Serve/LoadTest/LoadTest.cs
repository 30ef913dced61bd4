using Microsoft.ML.SwitchablePrecision;
using SpNet.Serve.Serving;

namespace SpNet.Serve.LoadTest;

/// <summary>The whole <c>--load-test</c>: one run with the governor, one at the most precise switch fixed, chart and table.</summary>
internal static class LoadTest
{
    /// <summary>Runs both and writes <see cref="LoadReport.ChartFileName"/> and <see cref="LoadReport.TableFileName"/>; returns the table.</summary>
    public static async Task<string> RunAsync(LoadTestSettings settings, TextWriter log)
    {
        var images = LabelledImage.FromFolder(settings.ImageFolder);
        IReadOnlyList<Precision> switches;
        using (var probe = ServedModel.Load(settings.ModelPath)) switches = probe.SpNet.Switches.ToArray();
        var highest = switches.Max();
        log.WriteLine($"{images.Count} images, switches {string.Join(", ", switches)}; {settings.Duration.TotalSeconds:0} s per run, 1 -> {settings.PeakClients} -> 1 clients");

        var governed = await LoadTestRun.RunAsync(settings.ModelPath, images, null, settings.Target, settings.Duration, settings.PeakClients);
        log.WriteLine($"governor: {governed.Samples.Count} requests, {governed.Changes.Count} changes");
        var fixedRun = await LoadTestRun.RunAsync(settings.ModelPath, images, highest, settings.Target, settings.Duration, settings.PeakClients);
        log.WriteLine($"fixed {highest}: {fixedRun.Samples.Count} requests");

        LoadRunResult[] runs = [governed, fixedRun];
        var order = switches.Select(s => s.ToString()).ToArray();
        double targetMs = settings.Target.TotalMilliseconds;
        string table = LoadReport.Table(runs, order, targetMs);
        Directory.CreateDirectory(settings.Output);
        File.WriteAllText(Path.Combine(settings.Output, LoadReport.TableFileName), table);
        LoadChart.Write(Path.Combine(settings.Output, LoadReport.ChartFileName), runs, switches.Order().Select(s => s.ToString()).ToArray(),
            targetMs, settings.Duration.TotalSeconds);
        return table;
    }
}
