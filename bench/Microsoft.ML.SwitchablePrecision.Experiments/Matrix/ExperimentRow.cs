using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

/// <summary>
/// One row of a results table: per switch of <see cref="Family"/>, the test accuracy of either the jointly trained
/// network (one cell per seed) or the dedicated model of that switch (one cell per switch and seed).
/// </summary>
/// <param name="Label">The row's name in tables and plots.</param>
/// <param name="Kind">SP-Net or dedicated models.</param>
/// <param name="Family">The switches, least precise first: the experiment's, or some of them (the others are not applicable).</param>
/// <param name="Quantizer">The quantizer family.</param>
/// <param name="Distillation">The distillation mode of an SP-Net row (Off for dedicated rows).</param>
/// <param name="RecipeVariant">A change to the recipe for this row only (see <see cref="Running.Recipe.Variants"/>), or null.</param>
/// <param name="Measure">Which recorded test accuracy the row shows.</param>
internal sealed record ExperimentRow(string Label, CellKind Kind, IReadOnlyList<string> Family, QuantizerKind Quantizer, DistillationMode Distillation,
    string? RecipeVariant = null, AccuracyMeasure Measure = AccuracyMeasure.Test)
{
    /// <summary>The cells that give this row's numbers for one seed.</summary>
    public IReadOnlyList<CellSpec> Cells(Budget budget, int seed) => Kind == CellKind.SpNet
        ? [CellSpec.SpNet(Family, Quantizer, Distillation, Of(budget), seed)]
        : Family.Select(p => CellSpec.Dedicated(p, Quantizer, Of(budget), seed)).ToList();

    /// <summary>Whether the row has a value for <paramref name="precision"/>.</summary>
    public bool Covers(string precision) => Family.Contains(precision);

    /// <summary>The cell that gives the accuracy of <paramref name="precision"/> for one seed.</summary>
    public CellSpec CellFor(string precision, Budget budget, int seed) => Kind == CellKind.SpNet
        ? CellSpec.SpNet(Family, Quantizer, Distillation, Of(budget), seed)
        : CellSpec.Dedicated(precision, Quantizer, Of(budget), seed);

    private Budget Of(Budget budget) => RecipeVariant is null ? budget : budget with { Recipe = budget.Recipe + "+" + RecipeVariant };
}
