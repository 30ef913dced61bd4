using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

/// <summary>
/// One row of a results table: per switch of <see cref="Family"/>, the test accuracy of either the jointly trained
/// network (one cell per seed) or the dedicated model of that switch (one cell per switch and seed).
/// </summary>
/// <param name="Label">The row's name in tables and plots.</param>
/// <param name="Kind">SP-Net or dedicated models.</param>
/// <param name="Family">The switches, least precise first.</param>
/// <param name="Quantizer">The quantizer family.</param>
/// <param name="Distillation">The distillation mode of an SP-Net row (Off for dedicated rows).</param>
internal sealed record ExperimentRow(string Label, CellKind Kind, IReadOnlyList<string> Family, QuantizerKind Quantizer, DistillationMode Distillation)
{
    /// <summary>The cells that give this row's numbers for one seed.</summary>
    public IReadOnlyList<CellSpec> Cells(Budget budget, int seed) => Kind == CellKind.SpNet
        ? [CellSpec.SpNet(Family, Quantizer, Distillation, budget, seed)]
        : Family.Select(p => CellSpec.Dedicated(p, Quantizer, budget, seed)).ToList();

    /// <summary>The cell that gives the accuracy of <paramref name="precision"/> for one seed.</summary>
    public CellSpec CellFor(string precision, Budget budget, int seed) => Kind == CellKind.SpNet
        ? CellSpec.SpNet(Family, Quantizer, Distillation, budget, seed)
        : CellSpec.Dedicated(precision, Quantizer, budget, seed);
}
