using System.Globalization;
using System.Text;

namespace SpNet.Serve.LoadTest;

/// <summary>The markdown tables of a load test: the calibration, one row per ramp run, then the governor's changes.</summary>
internal static class LoadReport
{
    /// <summary>File name of the table beside the chart.</summary>
    public const string TableFileName = "load-test.md";

    /// <summary>File name of the chart.</summary>
    public const string ChartFileName = "load-test.png";

    /// <summary>The tables of <paramref name="runs"/> and <paramref name="calibration"/>; <paramref name="modelOrder"/> is the model's switch order.</summary>
    public static string Table(IReadOnlyList<LoadRunResult> runs, IReadOnlyList<LoadRunResult> calibration, IReadOnlyList<string> modelOrder,
        double targetMs, int peakClients)
    {
        var table = new StringBuilder();
        table.AppendLine(Invariant($"Calibration: each switch fixed, {peakClients} concurrent clients throughout."));
        table.AppendLine();
        table.AppendLine("| Switch | p95 network | p95 pipeline (decode + network) | p95 round trip (HTTP) | Requests served |");
        table.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var run in calibration)
            table.AppendLine(Invariant($"| {run.Name} | {run.P95(s => s.NetworkMilliseconds):0.00} ms | {run.P95(s => s.PipelineMilliseconds):0.00} ms ") +
                Invariant($"| {run.P95(s => s.HttpMilliseconds):0.00} ms | {run.Samples.Count} |"));
        table.AppendLine();
        table.AppendLine("Ramp: 1 -> peak -> 1 clients. \"Network\" is the prediction the governor observes and steers; the target applies to it.");
        table.AppendLine();
        table.AppendLine("| Run | Target p95 (network) | p95 network | Seconds with network p95 over target | p95 pipeline (decode + network) | p95 round trip (HTTP) | Switches used | Requests served | Accuracy | Failed |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (var run in runs)
        {
            var perSecond = run.P95PerSecond(s => s.NetworkMilliseconds);
            double accuracy = run.Samples.Count == 0 ? double.NaN : run.Samples.Count(s => s.Label == s.TrueLabel) / (double)run.Samples.Count;
            table.AppendLine(
                Invariant($"| {(run.Name == "governor" ? "governor" : "fixed " + run.Name)} | {targetMs:0.###} ms ") +
                Invariant($"| {run.P95(s => s.NetworkMilliseconds):0.00} ms | {perSecond.Count(s => s.P95 > targetMs)} of {perSecond.Count} ") +
                Invariant($"| {run.P95(s => s.PipelineMilliseconds):0.00} ms | {run.P95(s => s.HttpMilliseconds):0.00} ms ") +
                Invariant($"| {string.Join(", ", run.SwitchesUsed(modelOrder))} | {run.Samples.Count} | {100 * accuracy:0.0}% | {run.Failures} |"));
        }
        var governed = runs.FirstOrDefault(r => r.Name == "governor");
        if (governed is not null)
        {
            table.AppendLine();
            table.AppendLine(governed.Changes.Count == 0 ? "The governor changed nothing." : "Governor changes:");
            foreach (string change in governed.Changes) table.AppendLine($"- {change}");
        }
        return table.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
