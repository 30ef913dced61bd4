using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>One row of an experiment table: the accuracy statistics of every switch (null where no seed has finished).</summary>
internal sealed record RowResult(ExperimentRow Row, IReadOnlyDictionary<string, Stat?> BySwitch)
{
    /// <summary>Whether the row has a value for every quantized switch of <paramref name="family"/> once its cells are finished.</summary>
    public bool CoversQuantized(IReadOnlyList<string> family) => family.Where(Families.IsQuantized).All(Row.Covers);

    /// <summary>Mean over the quantized switches of the per-switch means, or null unless every quantized switch has a value.</summary>
    public double? MeanOfQuantized(IReadOnlyList<string> family)
    {
        var quantized = family.Where(Families.IsQuantized).ToList();
        if (quantized.Count == 0 || quantized.Any(p => BySwitch[p] is null)) return null;
        return quantized.Average(p => BySwitch[p]!.Mean);
    }
}

/// <summary>One experiment's table for one budget.</summary>
internal sealed record ExperimentTable(Experiment Experiment, IReadOnlyList<RowResult> Rows)
{
    /// <summary>The row labelled <paramref name="label"/>, or null.</summary>
    public RowResult? Find(string label) => Rows.FirstOrDefault(r => r.Row.Label == label);
}

/// <summary>Every experiment table of one budget, with the seeds and commits that produced its cells.</summary>
internal sealed record BudgetTables(Budget Budget, IReadOnlyList<int> Seeds, IReadOnlyList<string> Commits, IReadOnlyList<ExperimentTable> Experiments,
    IReadOnlyList<CellResult> Cells);

/// <summary>Builds the tables from cached cells.</summary>
internal static class Tables
{
    /// <summary>
    /// Groups <paramref name="cells"/> by budget (architecture, width, epochs, data, recipe) and fills every
    /// experiment's rows with the seeds found for that budget. Budgets are ordered by data, then epochs.
    /// </summary>
    public static IReadOnlyList<BudgetTables> Build(IReadOnlyList<CellResult> cells)
    {
        var result = new List<BudgetTables>();
        foreach (var group in cells.GroupBy(c => c.Spec.Budget).OrderBy(g => g.Key.Data, StringComparer.Ordinal).ThenBy(g => g.Key.Epochs))
        {
            var byKey = group.ToDictionary(c => c.Spec.Key);
            var seeds = group.Select(c => c.Spec.Seed).Distinct().Order().ToList();
            var experiments = ExperimentCatalog.Experiments
                .Select(e => new ExperimentTable(e, e.Rows.Select(r => Fill(r, e.Family, group.Key, seeds, byKey)).ToList()))
                .ToList();
            var commits = group.Select(c => c.Commit + (c.Dirty ? "+dirty" : "")).Distinct().Order(StringComparer.Ordinal).ToList();
            result.Add(new BudgetTables(group.Key, seeds, commits, experiments, group.ToList()));
        }
        return result;
    }

    private static RowResult Fill(ExperimentRow row, IReadOnlyList<string> family, Budget budget, IReadOnlyList<int> seeds,
        IReadOnlyDictionary<string, CellResult> byKey)
    {
        var bySwitch = new Dictionary<string, Stat?>();
        foreach (string precision in family)
        {
            if (!row.Covers(precision))
            {
                bySwitch[precision] = null;
                continue;
            }
            var found = seeds
                .Select(seed => (Seed: seed, Value: byKey.GetValueOrDefault(row.CellFor(precision, budget, seed).Key)?.AccuracyOf(precision, row.Measure)))
                .Where(v => v.Value is not null)
                .ToList();
            bySwitch[precision] = found.Count == 0 ? null : new Stat(found.Select(v => v.Value!.Value).ToList(), found.Select(v => v.Seed).ToList());
        }
        return new RowResult(row, bySwitch);
    }
}
