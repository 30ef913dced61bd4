using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>Rebuilds results.json, results.csv, results.md and the accuracy plots of an output folder from its cached cells.</summary>
internal static class ReportWriter
{
    /// <summary>
    /// Writes every report file into <paramref name="outputFolder"/> and deletes accuracy plots it no longer writes
    /// (an experiment renamed, or a budget added, which renames every plot); returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(CellCache cache, string outputFolder)
    {
        Directory.CreateDirectory(outputFolder);
        var budgets = Tables.Build(cache.LoadAll());
        var written = new List<string>();
        var plots = new Dictionary<(BudgetTables, Experiment), string>();
        for (int b = 0; b < budgets.Count; b++)
            foreach (var table in budgets[b].Experiments)
            {
                string name = PlotName(table.Experiment, b, budgets.Count);
                string path = Path.Combine(outputFolder, name);
                if (!PlotWriter.Write(table, budgets[b].Budget.ToString(), path)) continue;
                plots[(budgets[b], table.Experiment)] = name;
                written.Add(path);
            }
        written.Add(WriteText(outputFolder, "results.md",
            MarkdownWriter.Write(budgets, (b, e) => plots.GetValueOrDefault((b, e), PlotName(e, 0, 1)))));
        written.Add(WriteText(outputFolder, "results.csv", CsvWriter.Write(budgets)));
        written.Add(WriteText(outputFolder, "results.json", JsonSummary.Write(budgets)));
        foreach (string stale in Directory.EnumerateFiles(outputFolder, "accuracy-*.png").Except(written).ToList()) File.Delete(stale);
        return written;
    }

    // With several budgets in one folder, each gets its own plots.
    private static string PlotName(Experiment experiment, int budget, int budgets) =>
        budgets == 1 ? $"accuracy-{experiment.Name}.png" : $"accuracy-{experiment.Name}-{budget + 1}.png";

    private static string WriteText(string folder, string name, string text)
    {
        string path = Path.Combine(folder, name);
        string temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
