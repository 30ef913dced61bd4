using System.Globalization;
using System.Text;

namespace SpNet.Serve.LoadTest;

/// <summary>The markdown table of a load test: one row per run, then the governor's changes.</summary>
internal static class LoadReport
{
    /// <summary>File name of the table beside the chart.</summary>
    public const string TableFileName = "load-test.md";

    /// <summary>File name of the chart.</summary>
    public const string ChartFileName = "load-test.png";

    /// <summary>The table of <paramref name="runs"/>; <paramref name="modelOrder"/> is the model's switch order.</summary>
    public static string Table(IReadOnlyList<LoadRunResult> runs, IReadOnlyList<string> modelOrder, double targetMs)
    {
        var table = new StringBuilder();
        table.AppendLine("| Run | Target p95 | p95 in the pipeline | p95 round trip (HTTP) | Seconds with pipeline p95 over target | Switches used | Requests served | Accuracy | Failed |");
        table.AppendLine("|---|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (var run in runs)
        {
            var perSecond = run.P95PerSecond();
            double accuracy = run.Samples.Count == 0 ? double.NaN : run.Samples.Count(s => s.Label == s.TrueLabel) / (double)run.Samples.Count;
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(run.Name == "governor" ? "governor" : "fixed " + run.Name)} | {targetMs:0.###} ms " +
                $"| {LoadRunResult.Percentile(run.Samples.Select(s => s.PipelineMilliseconds), 0.95):0.00} ms " +
                $"| {LoadRunResult.Percentile(run.Samples.Select(s => s.HttpMilliseconds), 0.95):0.00} ms " +
                $"| {perSecond.Count(s => s.P95 > targetMs)} of {perSecond.Count} " +
                $"| {string.Join(", ", run.SwitchesUsed(modelOrder))} | {run.Samples.Count} | {100 * accuracy:0.0}% | {run.Failures} |"));
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
}
