using System.Text.Json;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>Writes results.json: the tables (per-switch mean, standard deviation and seed values) and every finished cell.</summary>
internal static class JsonSummary
{
    private sealed record SwitchSummary(string Precision, double? Mean, double? Std, IReadOnlyList<double> Values);

    private sealed record RowSummary(string Label, string Kind, string Quantizer, string Distillation, IReadOnlyList<SwitchSummary> Switches, double? MeanOfQuantized);

    private sealed record ExperimentSummary(string Name, string Title, IReadOnlyList<string> Family, IReadOnlyList<RowSummary> Rows);

    private sealed record BudgetSummary(Budget Budget, IReadOnlyList<int> Seeds, IReadOnlyList<string> Commits,
        IReadOnlyList<ExperimentSummary> Experiments, IReadOnlyList<CellResult> Cells);

    /// <summary>The whole file.</summary>
    public static string Write(IReadOnlyList<BudgetTables> budgets) => JsonSerializer.Serialize(
        budgets.Select(b => new BudgetSummary(b.Budget, b.Seeds, b.Commits,
            b.Experiments.Select(t => new ExperimentSummary(t.Experiment.Name, t.Experiment.Title, t.Experiment.Family,
                t.Rows.Select(r => new RowSummary(r.Row.Label, r.Row.Kind.ToString(), r.Row.Quantizer.ToString(), r.Row.Distillation.ToString(),
                    t.Experiment.Family.Select(p => r.BySwitch[p] is { } s
                        ? new SwitchSummary(p, s.Mean, s.Std, s.Values)
                        : new SwitchSummary(p, null, null, [])).ToList(),
                    r.MeanOfQuantized(t.Experiment.Family))).ToList())).ToList(),
            b.Cells)).ToList(),
        CellCache.Json);
}
