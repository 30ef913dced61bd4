using System.Globalization;
using System.Text;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>
/// Writes results.md: per budget and experiment, accuracy (percent, mean ± sample standard deviation over seeds,
/// seed count in brackets), then for the family experiments the difference of each SP-Net row from the dedicated
/// models and the gain from distillation, in accuracy points (difference of the means).
/// </summary>
internal static class MarkdownWriter
{
    private const string Pending = "pending";
    private const string NotApplicable = "n/a";

    /// <summary>The whole markdown document; <paramref name="plotFile"/> maps an experiment name to its PNG file name.</summary>
    public static string Write(IReadOnlyList<BudgetTables> budgets, Func<BudgetTables, Experiment, string>? plotFile = null)
    {
        var md = new StringBuilder();
        md.AppendLine("# Results (generated)");
        md.AppendLine();
        md.AppendLine("Written by the experiment runner's `report` command from the cached cells; do not edit by hand.");
        md.AppendLine("Accuracy is top-1 on the test split, in percent: mean ± sample standard deviation over seeds, (number of seeds).");
        md.AppendLine("Differences are in accuracy points, between the means over the seeds both rows have (run against run of the same seed).");
        if (budgets.Count == 0)
        {
            md.AppendLine();
            md.AppendLine("No cell has finished yet.");
        }
        foreach (var budget in budgets) WriteBudget(md, budget, plotFile);
        return md.ToString();
    }

    private static void WriteBudget(StringBuilder md, BudgetTables budget, Func<BudgetTables, Experiment, string>? plotFile)
    {
        md.AppendLine();
        md.AppendLine($"## {budget.Budget}");
        md.AppendLine();
        md.AppendLine(Inv($"Seeds with at least one finished cell: {string.Join(", ", budget.Seeds)}. Finished cells: {budget.Cells.Count}, total training time {budget.Cells.Sum(c => c.WallSeconds) / 3600:F2} h. Code: {string.Join(", ", budget.Commits.Select(Short))}. Machines: {Machines(budget.Cells)}."));
        foreach (var table in budget.Experiments)
        {
            var family = table.Experiment.Family;
            md.AppendLine();
            md.AppendLine($"### {table.Experiment.Name}: {table.Experiment.Title}");
            md.AppendLine();
            Header(md, "Row", family, "Mean of quantized");
            foreach (var row in table.Rows)
                Line(md, row.Row.Label, family.Select(p => Covered(row, p, () => Format(row.BySwitch[p]))),
                    QuantizedMean(row, family, () => FormatPercent(row.MeanOfQuantized(family))));
            if (plotFile is not null && table.Rows.Any(r => r.BySwitch.Values.Any(v => v is not null)))
            {
                md.AppendLine();
                md.AppendLine($"![{table.Experiment.Name} accuracy per switch]({plotFile(budget, table.Experiment)})");
            }
            if (table.Find(RowLabels.Dedicated) is { } dedicated) WriteComparisons(md, table, dedicated);
            if (table.Experiment.AgainstFirstRow is { } phrase && table.Rows.Count > 1) WriteAgainst(md, table, table.Rows[0], phrase);
            if (table.Experiment.AgainstDedicated is { } reference && table.Find(RowLabels.Dedicated) is { } single)
                WriteAgainstOneModel(md, table, single, reference);
        }
    }

    private static void WriteComparisons(StringBuilder md, ExperimentTable table, RowResult dedicated)
    {
        var family = table.Experiment.Family;
        md.AppendLine();
        md.AppendLine("Each row minus the dedicated models (points); target for an SP-Net: every switch within 0.5 points below its dedicated model, W1A1 within 1.5:");
        md.AppendLine();
        Header(md, "Row", family, "Mean of quantized");
        foreach (var row in table.Rows.Where(r => r != dedicated))
        {
            bool isSpNet = row.Row.Kind == CellKind.SpNet;
            var cells = family.Select(p => Covered(row, p, () => Delta(row.BySwitch[p], dedicated.BySwitch[p]) is { } d
                ? Inv($"{d:+0.00;-0.00;0.00}{(isSpNet ? (Targets.Met(p, d) ? " met" : " missed") : "")}")
                : Pending));
            Line(md, row.Row.Label, cells, QuantizedMean(row, family, () => FormatPoints(MeanDelta(row, dedicated, family))));
        }
        if (table.Find(RowLabels.WithDistillation) is { } with && table.Find(RowLabels.WithoutDistillation) is { } without)
        {
            md.AppendLine();
            md.AppendLine("Distillation gain, SP-Net with minus without (points); target: the mean of the quantized switches improves:");
            md.AppendLine();
            Header(md, "", family, "Mean of quantized");
            Line(md, "With minus without", family.Select(p => FormatPoints(Delta(with.BySwitch[p], without.BySwitch[p]))),
                FormatPoints(MeanDelta(with, without, family)));
        }
    }

    private static void WriteAgainst(StringBuilder md, ExperimentTable table, RowResult baseline, string title)
    {
        var family = table.Experiment.Family;
        md.AppendLine();
        md.AppendLine($"Each row minus \"{baseline.Row.Label}\" (points, runs of the same seed paired), {title}:");
        md.AppendLine();
        Header(md, "Row", family, "Mean of quantized");
        foreach (var row in table.Rows.Where(r => r != baseline))
            Line(md, row.Row.Label, family.Select(p => Covered(row, p, () => FormatPoints(Delta(row.BySwitch[p], baseline.BySwitch[p])))),
                QuantizedMean(row, family, () => FormatPoints(MeanDelta(row, baseline, family))));
    }

    private static void WriteAgainstOneModel(StringBuilder md, ExperimentTable table, RowResult dedicated, string reference)
    {
        var family = table.Experiment.Family.Where(p => p != reference).ToList();
        md.AppendLine();
        md.AppendLine($"Each SP-Net switch minus the dedicated {reference} model (points, same seed); target: W1A1 within 5 points, every other switch within 2:");
        md.AppendLine();
        Header(md, "Row", family, "Mean of quantized");
        var target = dedicated.BySwitch[reference];
        foreach (var row in table.Rows.Where(r => r.Row.Kind == CellKind.SpNet))
        {
            var deltas = family.Select(p => row.Row.Covers(p) ? Delta(row.BySwitch[p], target) : null).ToList();
            var cells = family.Select((p, i) => !row.Row.Covers(p) ? NotApplicable
                : deltas[i] is { } d ? Inv($"{d:+0.00;-0.00;0.00}{(Targets.MetAgainstFloat(p, d) ? " met" : " missed")}") : Pending);
            var quantized = family.Where(Families.IsQuantized).Select(p => deltas[family.IndexOf(p)]).ToList();
            Line(md, row.Row.Label, cells, quantized.Any(d => d is null) ? Pending : FormatPoints(quantized.Average(d => d!.Value)));
        }
    }

    private static string Covered(RowResult row, string precision, Func<string> value) => row.Row.Covers(precision) ? value() : NotApplicable;

    private static string QuantizedMean(RowResult row, IReadOnlyList<string> family, Func<string> value) =>
        row.CoversQuantized(family) ? value() : NotApplicable;

    private static double? Delta(Stat? a, Stat? b) => a is null || b is null ? null : a.PairedDifference(b) * 100;

    // The mean over the quantized switches of the paired per-switch differences; null unless every one exists.
    private static double? MeanDelta(RowResult a, RowResult b, IReadOnlyList<string> family)
    {
        var deltas = family.Where(Families.IsQuantized).Select(p => Delta(a.BySwitch[p], b.BySwitch[p])).ToList();
        return deltas.Any(d => d is null) ? null : deltas.Average(d => d!.Value);
    }

    private static void Header(StringBuilder md, string first, IReadOnlyList<string> family, string last)
    {
        md.AppendLine($"| {first} | {string.Join(" | ", family)} | {last} |");
        md.AppendLine($"|---|{string.Concat(family.Select(_ => "---:|"))}---:|");
    }

    private static void Line(StringBuilder md, string label, IEnumerable<string> cells, string last) =>
        md.AppendLine($"| {label} | {string.Join(" | ", cells)} | {last} |");

    internal static string Format(Stat? stat) => stat is null
        ? Pending
        : Inv($"{stat.Mean * 100:F2} ± {stat.Std * 100:F2} ({stat.Count})");

    private static string FormatPercent(double? value) => value is null ? Pending : Inv($"{value.Value * 100:F2}");

    private static string FormatPoints(double? points) => points is null ? Pending : Inv($"{points.Value:+0.00;-0.00;0.00}");

    // Each recorded processor with its number of cells; cells from before the record are counted as unrecorded.
    private static string Machines(IReadOnlyList<CellResult> cells) => string.Join(", ", cells
        .GroupBy(c => c.Machine ?? "unrecorded")
        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => Inv($"{g.Key} ({g.Count()})")));

    private static string Short(string commit) => commit.Length >= 40 ? commit[..10] + commit[40..] : commit;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
