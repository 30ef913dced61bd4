using Microsoft.ML.SwitchablePrecision.Experiments.Cells;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

/// <summary>A named table of the matrix.</summary>
/// <param name="Name">The name given to <c>run</c>.</param>
/// <param name="Title">The table's heading.</param>
/// <param name="Family">The switches (columns), least precise first.</param>
/// <param name="Rows">The rows.</param>
/// <param name="DefaultSeeds">Seeds used when the command line gives none.</param>
/// <param name="AgainstFirstRow">
/// When set, the report adds a table of every other row minus the first (paired by seed), headed with this phrase
/// (for example "versus hard labels only").
/// </param>
/// <param name="AgainstDedicated">
/// When set (a switch of the dedicated row, for example W32A32), the report adds a table of every SP-Net switch minus
/// that one dedicated model, with the short-budget targets (see <see cref="Reporting.Targets.MetAgainstFloat"/>).
/// </param>
internal sealed record Experiment(string Name, string Title, IReadOnlyList<string> Family, IReadOnlyList<ExperimentRow> Rows, IReadOnlyList<int> DefaultSeeds,
    string? AgainstFirstRow = null, string? AgainstDedicated = null)
{
    /// <summary>Every distinct cell of the experiment for <paramref name="seeds"/>, in row order.</summary>
    public IReadOnlyList<CellSpec> Cells(Budget budget, IReadOnlyList<int> seeds) =>
        seeds.SelectMany(seed => Rows.SelectMany(r => r.Cells(budget, seed))).DistinctBy(c => c.Key).ToList();
}
