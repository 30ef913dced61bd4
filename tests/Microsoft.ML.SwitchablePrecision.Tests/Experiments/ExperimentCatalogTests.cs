using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

public class ExperimentCatalogTests
{
    private static readonly Budget Budget = HandMadeCells.Budget;

    [Fact]
    public void Family1WithTwoSeedsHasTwoSpNetsAndFourDedicatedModelsPerSeed()
    {
        var cells = ExperimentCommands.Cells(ExperimentCatalog.Resolve("family1"), Budget, [1, 2]);

        Assert.Equal(12, cells.Count);
        Assert.Equal(4, cells.Count(c => c.Kind == CellKind.SpNet));
        Assert.Equal(["W1A1", "W1A2", "W1A4", "W1A32"], cells.Where(c => c.Kind == CellKind.Dedicated && c.Seed == 1).Select(c => c.DedicatedPrecision));
        Assert.All(cells.Where(c => c.Kind == CellKind.Dedicated), c => Assert.Equal(DistillationMode.Off, c.Distillation));
    }

    [Fact]
    public void AllSharesTheDistilledFamily1SpNetAndTheDedicatedW1A1()
    {
        var cells = ExperimentCommands.Cells(ExperimentCatalog.Resolve("all"), Budget, [1]);

        // family1: 2 SP-Nets + 4 dedicated; family2: 2 SP-Nets + 4 new dedicated (W1A1 is shared);
        // quantizers: PACT and LSQ; distillation: FromTeacher.
        Assert.Equal(15, cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Key).Distinct().Count());
        var distilled = CellSpec.SpNet(Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Recursive, Budget, 1).Key;
        var users = ExperimentCatalog.Experiments
            .SelectMany(e => e.Rows.Where(r => r.Cells(Budget, 1).Any(c => c.Key == distilled)).Select(r => $"{e.Name}/{r.Label}"));
        Assert.Equal(["family1/SP-Net, distillation", "quantizers/DoReFa", "distillation/Recursive"], users);
    }

    [Fact]
    public void DefaultSeedsGiveFamily1TwoSeedsAndTheOthersOne()
    {
        Assert.Equal(["family1", "family2", "quantizers", "distillation", "all"], ExperimentCatalog.Names);
        Assert.Equal([1, 2], ExperimentCatalog.Resolve("family1")[0].DefaultSeeds);
        Assert.Equal(12 + 6 + 2 + 1, ExperimentCommands.Cells(ExperimentCatalog.Resolve("ALL"), Budget, null).Count);
    }

    [Fact]
    public void SeveralExperimentsSeparatedByCommasRunInTheGivenOrder()
    {
        Assert.Equal(["family2", "distillation", "family1"],
            ExperimentCatalog.Resolve("family2, distillation,family1,family2").Select(e => e.Name));
        var error = Assert.Throws<ArgumentException>(() => ExperimentCatalog.Resolve("family1,famly2"));
        Assert.StartsWith("Unknown experiment 'famly2'", error.Message);
    }

    [Fact]
    public void AnUnknownExperimentIsNamedInTheError()
    {
        var error = Assert.Throws<ArgumentException>(() => ExperimentCatalog.Resolve("family3"));
        Assert.StartsWith("Unknown experiment 'family3': expected one of family1, family2, quantizers, distillation, all.", error.Message);
    }
}
