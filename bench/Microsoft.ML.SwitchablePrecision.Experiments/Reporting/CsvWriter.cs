using System.Globalization;
using System.Text;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>
/// Writes results.csv: one line per experiment, row, seed and switch that has a finished cell, with the cell's
/// configuration, wall time and code version. A cell shared by several rows appears once per row.
/// </summary>
internal static class CsvWriter
{
    /// <summary>The header line.</summary>
    public const string Header =
        "budget_data,architecture,width,epochs,recipe,experiment,row,seed,precision,accuracy,loss,kind,network_switches,quantizer,distillation,wall_seconds,commit,cell";

    /// <summary>The whole file.</summary>
    public static string Write(IReadOnlyList<BudgetTables> budgets)
    {
        var csv = new StringBuilder();
        csv.Append(Header).Append('\n');
        foreach (var budget in budgets)
        {
            var byKey = budget.Cells.ToDictionary(c => c.Spec.Key);
            var b = budget.Budget;
            foreach (var table in budget.Experiments)
                foreach (var row in table.Rows)
                    foreach (int seed in budget.Seeds)
                        foreach (string precision in table.Experiment.Family)
                        {
                            if (!row.Row.Covers(precision) || !byKey.TryGetValue(row.Row.CellFor(precision, b, seed).Key, out var cell)) continue;
                            var test = cell.Test.First(t => t.Precision == precision);
                            string[] fields =
                            [
                                b.Data, b.Architecture.ToString(), Number(b.Width), Number(b.Epochs), b.Recipe,
                                table.Experiment.Name, row.Row.Label, Number(seed), precision, Number(test.Accuracy), Number(test.Loss),
                                cell.Spec.Kind.ToString(), string.Join(" ", cell.Spec.Switches), cell.Spec.Quantizer.ToString(),
                                cell.Spec.Distillation.ToString(), Number(Math.Round(cell.WallSeconds, 1)),
                                cell.Commit + (cell.Dirty ? "+dirty" : ""), cell.Spec.Key,
                            ];
                            csv.Append(string.Join(",", fields.Select(Escape))).Append('\n');
                        }
        }
        return csv.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
