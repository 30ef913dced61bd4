using System.Globalization;
using Microsoft.ML.Data;
using Spectre.Console;
using SpNet.Train.Training;

namespace SpNet.Train.Reporting;

/// <summary>The tables printed after training: one row per switch, and a confusion matrix.</summary>
internal static class ResultTables
{
    /// <summary>Column headings of the per-switch table, shared by the console and the stored results.</summary>
    public static IReadOnlyList<string> SwitchHeadings { get; } =
    [
        "Switch", "Accuracy", "Macro acc.", "Log-loss", "Packed weights", "vs FP32",
        "Binary MACs", "Low-bit MACs", "FP32 MACs", "BOPs", "Latency", "Float path",
    ];

    /// <summary>What the per-switch table's columns mean, shared by the console and the stored results.</summary>
    public const string SwitchCaption =
        "MACs and BOPs per image (BOPs: MACs x weight bits x activation bits); packed weights: every weight layer at this " +
        "switch's bit widths, bits packed tightly, plus one float32 scale per quantized layer, against the same weights in " +
        "float32; latency: one PredictionEngine call, image decode included, with packed bit-operation kernels (the default) " +
        "and with every switch simulated in float32 (UsePackedKernels = false)";

    /// <summary>The formatted cells of one switch's row, in the order of <see cref="SwitchHeadings"/>.</summary>
    public static IReadOnlyList<string> SwitchCells(SwitchResult r) =>
    [
        r.Precision.ToString(), Percent(r.Metrics.MicroAccuracy), Percent(r.Metrics.MacroAccuracy),
        Fixed(r.Metrics.LogLoss, "0.000"), Kilobytes(r.Cost.PackedWeightBytes),
        Fixed((double)r.Cost.Float32WeightBytes / Math.Max(1, r.Cost.PackedWeightBytes), "0.0") + "x",
        Count(r.Cost.BinaryMacs), Count(r.Cost.LowBitMacs), Count(r.Cost.FullPrecisionMacs),
        Count(r.BitOperations), Fixed(r.Latency.Packed, "0.00") + " ms", Fixed(r.Latency.FloatPath, "0.00") + " ms",
    ];

    /// <summary>Accuracy, macro accuracy, log-loss, packed weight size, operations and latency of each switch.</summary>
    public static Table Switches(IReadOnlyList<SwitchResult> results, int testImages)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(CultureInfo.InvariantCulture, $"Per switch, on {testImages:N0} test images"))
            .AddColumn(SwitchHeadings[0]);
        foreach (string heading in SwitchHeadings.Skip(1))
            table.AddColumn(new TableColumn(heading).RightAligned());
        foreach (var r in results)
            table.AddRow(SwitchCells(r).ToArray());
        table.Caption(SwitchCaption);
        return table;
    }

    /// <summary>Counts of actual (rows) against predicted (columns) classes.</summary>
    public static Table ConfusionMatrix(string title, ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var table = new Table().Border(TableBorder.Simple).Title(title).AddColumn("actual \\ predicted");
        foreach (string name in classNames) table.AddColumn(new TableColumn(Markup.Escape(Short(name))).RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        for (int row = 0; row < matrix.Counts.Count; row++)
        {
            var counts = matrix.Counts[row];
            var cells = new List<string> { Markup.Escape(classNames[row]) };
            for (int col = 0; col < counts.Count; col++)
            {
                string value = counts[col].ToString("0", CultureInfo.InvariantCulture);
                cells.Add(row == col ? $"[bold]{value}[/]" : value);
            }
            cells.Add(Percent(matrix.PerClassRecall[row]));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    private static string Short(string name) => name.Length <= 8 ? name : name[..7] + ".";

    private static string Percent(double value) => (100 * value).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Fixed(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Kilobytes(long bytes) => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB";

    private static string Count(double value) => value switch
    {
        >= 1e9 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
        >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1e3 => (value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " k",
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };
}
