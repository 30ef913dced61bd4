using System.Globalization;
using System.Text;
using System.Text.Json;
using SpNet.Train.Cli;
using SpNet.Train.Training;

namespace SpNet.Train.Reporting;

/// <summary>
/// The per-switch results stored as files, so that figures quoted elsewhere (the README) can be regenerated and checked
/// against a stored run: <c>results.md</c> for people, <c>results.json</c> for programs.
/// </summary>
internal static class ResultFiles
{
    /// <summary>File name of the markdown results inside the results folder.</summary>
    public const string MarkdownFileName = "results.md";

    /// <summary>File name of the JSON results inside the results folder.</summary>
    public const string JsonFileName = "results.json";

    /// <summary>Marks the start of the per-switch table in <see cref="MarkdownFileName"/>, so that copies can be located and compared.</summary>
    public const string TableStartMarker = "<!-- per-switch table -->";

    /// <summary>Writes both files into <paramref name="folder"/>, creating it if needed.</summary>
    public static void Write(string folder, RunRecord run)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, MarkdownFileName), Markdown(run));
        File.WriteAllText(Path.Combine(folder, JsonFileName), Json(run));
    }

    /// <summary>The per-switch table in markdown, exactly as the README quotes it.</summary>
    public static string SwitchTable(IReadOnlyList<SwitchResult> results)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", ResultTables.SwitchHeadings).AppendLine(" |");
        text.Append('|').AppendJoin("", ResultTables.SwitchHeadings.Select(_ => "---|")).AppendLine();
        foreach (var r in results)
            text.Append("| ").AppendJoin(" | ", ResultTables.SwitchCells(r)).AppendLine(" |");
        return text.ToString();
    }

    /// <summary>The whole markdown file: how the run was made, on what machine, how long it took, and the table.</summary>
    public static string Markdown(RunRecord run)
    {
        var s = run.Settings;
        var m = run.Machine;
        var text = new StringBuilder();
        text.AppendLine("# SpNet.Train results").AppendLine();
        text.AppendLine(Inv($"Written by the sample itself (`samples/SpNet.Train`) at the end of the run. Arguments: `{(run.Arguments.Length == 0 ? "(none: the defaults)" : run.Arguments)}`."));
        text.AppendLine();
        text.AppendLine(Inv($"- Data: {s.DataFolder switch { null when s.ImagesFolder is null => "the Fashion-MNIST subset shipped with the sample", null => "class folders", _ => "IDX files" }}, {run.TrainImages:N0} training and {run.TestImages:N0} test images"));
        text.AppendLine(Inv($"- Network: {s.Architecture} at width x{s.Width}, switches {string.Join(", ", s.Switches)}, {s.Quantizer} quantizer, {s.Distillation} distillation, {s.LossReduction} of the switch losses"));
        text.AppendLine(Inv($"- Training: {s.Epochs} epochs, batch {s.BatchSize}, float warm start over {s.WarmStart:0.##} of the steps, seed {s.Seed}"));
        text.AppendLine(Inv($"- Machine: {m.Processor}, {m.LogicalCores} logical cores, {m.OperatingSystem}, .NET {m.Runtime}, {m.TorchThreads} torch thread(s)"));
        text.AppendLine(Inv($"- 1-minute load average at the start and the end: {Load(run.LoadAtStart)} / {Load(m.LoadAverage)}: {(run.SharedMachine ? "other work shared the cores, so the times below are from a shared machine" : "no other work was seen on the machine")}"));
        text.AppendLine(Inv($"- Wall time: {Duration(run.WallSeconds)}, of which loading and training {Duration(run.TrainingSeconds)}"));
        text.AppendLine();
        text.AppendLine(TableStartMarker);
        text.Append(SwitchTable(run.Results));
        text.AppendLine();
        text.AppendLine(ResultTables.SwitchCaption + ".");
        text.AppendLine(Inv($"Accuracies and costs follow from the arguments, the seed and the torch thread count; latencies (median of {run.LatencyRounds} interleaved rounds of {run.LatencyImages} images) depend on the machine and its load."));
        return text.ToString();
    }

    /// <summary>The same run as JSON: settings, machine, times and unformatted per-switch figures.</summary>
    public static string Json(RunRecord run) => JsonSerializer.Serialize(new
    {
        run.Arguments,
        Settings = new
        {
            Data = run.Settings.DataFolder is null && run.Settings.ImagesFolder is null ? "shipped subset" : "user data",
            Architecture = run.Settings.Architecture.ToString(), run.Settings.Width,
            Switches = run.Settings.Switches.Select(p => p.ToString()), Quantizer = run.Settings.Quantizer.ToString(),
            Distillation = run.Settings.Distillation.ToString(), LossReduction = run.Settings.LossReduction.ToString(),
            run.Settings.Epochs, run.Settings.BatchSize, run.Settings.WarmStart, run.Settings.ImageSize, run.Settings.Seed,
        },
        run.TrainImages, run.TestImages, run.Machine, run.LoadAtStart, run.SharedMachine,
        run.WallSeconds, run.TrainingSeconds, run.LatencyRounds, run.LatencyImages,
        Switches = run.Results.Select(r => new
        {
            Precision = r.Precision.ToString(), r.Metrics.MicroAccuracy, r.Metrics.MacroAccuracy, r.Metrics.LogLoss,
            r.Cost.PackedWeightBytes, r.Cost.Float32WeightBytes, r.Cost.BinaryMacs, r.Cost.LowBitMacs, r.Cost.FullPrecisionMacs,
            r.BitOperations, LatencyPackedMs = r.Latency.Packed, LatencyFloatPathMs = r.Latency.FloatPath,
            PerClassRecall = r.Metrics.ConfusionMatrix.PerClassRecall,
        }),
    }, new JsonSerializerOptions { WriteIndented = true });

    private static string Load(double? load) => load is { } value ? Inv($"{value:0.00}") : "unknown";

    private static string Duration(double seconds) =>
        seconds >= 60 ? Inv($"{(int)(seconds / 60)} min {(int)(seconds % 60)} s") : Inv($"{seconds:0} s");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
