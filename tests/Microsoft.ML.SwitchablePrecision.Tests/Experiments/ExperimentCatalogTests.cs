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
        // quantizers: PACT and LSQ; distillation: FromTeacher; diagnosis: the SP-Nets with averaged losses (with and
        // without distillation), the SP-Net with the W1A32 loss weighted 1/2 and four dedicated models at learning rate
        // 0.4; diagnosis-joint: the joint SP-Net with averaged losses; diagnosis-clip: the clipped SP-Net and dedicated W1A32;
        // short-budget: seven SP-Nets (defaults, warm start, three Adam variants, no decay on latent weights,
        // distillation) and dedicated W1A1 and W32A32; short-budget-table shares its first four cells; short-budget-adam
        // adds Adam 0.01 and dedicated W1A1 and W32A32 with Adam 0.005 (the rest are shared); short-budget-adam2 adds
        // Adam 0.02, Adam 0.01 with a 10% warm start and dedicated W1A1 and W32A32 with Adam 0.01; family1-converged
        // adds dedicated W1A2, W1A4 and W1A32 with Adam 0.01; short-budget-teacher adds W1A32 teaching, the SP-Net with a
        // W32A32 switch (hard labels, teaching) and the SP-Net and dedicated W32A32 at batch 32; short-budget-batch adds
        // both at batch 64; short-budget-distillation adds recursive distillation at batch 128 and 32; short-budget-teacher32
        // adds the three teaching rows of short-budget-teacher at batch 32; short-budget-float-switch adds the W32A32 switch
        // with a 10% warm start at batch 32, and the 10% warm start without it; short-budget-warm-length adds the 30% and
        // 50% warm starts at batch 32; short-budget-step adds Adam steps of 0.005 and 0.02 with the 10% warm start;
        // short-budget-dedicated adds dedicated W1A1, W1A2, W1A4, W1A32 and W32A32 networks with the 10% warm start at batch 32;
        // short-budget-top adds the SP-Net with 40% and 55% of the loss on W1A32.
        Assert.Equal(34 + 3 + 4 + 3 + 5 + 2 + 2 + 3 + 2 + 2 + 2 + 5 + 2, cells.Count);
        Assert.Equal(cells.Count, cells.Select(c => c.Key).Distinct().Count());
        var distilled = CellSpec.SpNet(Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Recursive, Budget, 1).Key;
        var users = ExperimentCatalog.Experiments
            .SelectMany(e => e.Rows.Where(r => r.Cells(Budget, 1).Any(c => c.Key == distilled)).Select(r => $"{e.Name}/{r.Label}"));
        Assert.Equal(["family1/SP-Net, distillation", "quantizers/DoReFa", "distillation/Recursive"], users);
    }

    [Fact]
    public void DefaultSeedsGiveFamily1TwoSeedsAndTheOthersOne()
    {
        Assert.Equal(["family1", "family2", "quantizers", "distillation", "diagnosis", "diagnosis-joint", "diagnosis-clip", "short-budget", "short-budget-table", "short-budget-adam", "short-budget-adam2", "short-budget-teacher", "short-budget-batch", "short-budget-distillation", "short-budget-teacher32", "short-budget-float-switch", "short-budget-warm-length", "short-budget-step", "short-budget-dedicated", "short-budget-top", "family1-converged", "all"], ExperimentCatalog.Names);
        Assert.Equal([1, 2], ExperimentCatalog.Resolve("family1")[0].DefaultSeeds);
        // diagnosis-clip adds the averaged-loss SP-Net of seed 2 and, per seed, the clipped SP-Net and dedicated W1A32.
        // short-budget-adam and -adam2 run seeds 1 and 2: their seed-1 cells as above, and at seed 2 all six of
        // short-budget-adam and the four of short-budget-adam2 it does not share.
        // The nine later short-budget experiments run seeds 1 and 2 too, each seed adding the cells named above.
        Assert.Equal(12 + 6 + 2 + 1 + 7 + 1 + 5 + 9 + (3 + 6) + (4 + 4) + (5 + 5) + (2 + 2) + (2 + 2) + (3 + 3) + (2 + 2) + (2 + 2) + (2 + 2) + (5 + 5) + (2 + 2) + 3, ExperimentCommands.Cells(ExperimentCatalog.Resolve("ALL"), Budget, null).Count);
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
        Assert.StartsWith("Unknown experiment 'family3': expected one of family1, family2, quantizers, distillation, diagnosis, diagnosis-joint, diagnosis-clip, short-budget, short-budget-table, short-budget-adam, short-budget-adam2, short-budget-teacher, short-budget-batch, short-budget-distillation, short-budget-teacher32, short-budget-float-switch, short-budget-warm-length, short-budget-step, short-budget-dedicated, short-budget-top, family1-converged, all.", error.Message);
    }

    [Fact]
    public void DiagnosisRowsUseRecipeVariantsThatBelongToTheBaseBudget()
    {
        var diagnosis = ExperimentCatalog.Resolve("diagnosis")[0];
        var cells = diagnosis.Cells(Budget, [1]);

        Assert.Equal(
        [
            "spnet_w1a1-w1a2-w1a4-w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "spnet_w1a1-w1a2-w1a4-w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+meanloss",
            "spnet_w1a1-w1a2-w1a4-w1a32_dorefa_recursive_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+meanloss",
            "spnet_w1a1-w1a2-w1a4-w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+tophalf",
            "dedicated_w1a1_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a2_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a4_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a1_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+lr0.4",
            "dedicated_w1a2_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+lr0.4",
            "dedicated_w1a4_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+lr0.4",
            "dedicated_w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+lr0.4",
        ], cells.Select(c => c.Key));
        Assert.All(cells, c => Assert.Equal(Budget, c.Budget));
        Assert.Equal([null, "meanloss", "meanloss", "tophalf", null, null, null, null, "lr0.4", "lr0.4", "lr0.4", "lr0.4"], cells.Select(c => c.RecipeVariant));
    }

    [Fact]
    public void RecipeVariantsChangeOnlyTheirSetting()
    {
        var plain = Recipe.Trainer(HandMadeCells.SpNet(Families.BinaryWeight, DistillationMode.Off, 1), threads: 1);
        var spec = HandMadeCells.SpNet(Families.BinaryWeight, DistillationMode.Off, 1);

        var mean = Recipe.Trainer(spec with { Recipe = "r1+meanloss" }, threads: 1);
        var fast = Recipe.Trainer(HandMadeCells.Dedicated("W1A1", 1) with { Recipe = "r1+lr0.4" }, threads: 1);

        Assert.Null(plain.SwitchLossWeights);
        Assert.Equal(SwitchLossReduction.Sum, plain.SwitchLossReduction);
        Assert.Equal([0.25, 0.25, 0.25, 0.25], mean.SwitchLossWeights!);
        Assert.Equal(plain with { SwitchLossWeights = mean.SwitchLossWeights }, mean);
        Assert.Equal(0.4, fast.LearningRate);
        var top = Recipe.Trainer(spec with { Recipe = "r1+tophalf" }, threads: 1);
        Assert.Equal([1 / 6.0, 1 / 6.0, 1 / 6.0, 0.5], top.SwitchLossWeights!);
        Assert.Equal(plain with { SwitchLossWeights = top.SwitchLossWeights }, top);
        Assert.Equal(0.1, plain.LearningRate);
        var clipped = spec with { Recipe = "r1+meanloss-clip" };
        var clippedTrainer = Recipe.Trainer(clipped, threads: 1);
        Assert.Equal(mean.SwitchLossWeights, clippedTrainer.SwitchLossWeights!);
        Assert.Equal(plain with { SwitchLossWeights = clippedTrainer.SwitchLossWeights }, clippedTrainer);
        Assert.True(Recipe.Network(clipped).ClipFullPrecisionActivations);
        var plainNetwork = Recipe.Network(spec);
        Assert.Equal(plainNetwork with { ClipFullPrecisionActivations = true, Switches = [], InputMean = [], InputStd = [] },
            Recipe.Network(clipped) with { Switches = [], InputMean = [], InputStd = [] });
        Assert.False(Recipe.Network(spec with { Recipe = "r1+meanloss" }).ClipFullPrecisionActivations);
        var error = Assert.Throws<ArgumentException>(() => Recipe.Trainer(spec with { Recipe = "r1+fast" }, threads: 1));
        Assert.StartsWith($"Cell '{spec.Key[..^2]}r1+fast' names recipe variant 'fast'; expected one of meanloss, lr0.4, tophalf, meanloss-clip.", error.Message);
    }

    [Fact]
    public void TheTopSettingGivesTheLastSwitchItsFractionAndKeepsTheTotal()
    {
        var spec = HandMadeCells.SpNet(Families.BinaryWeight, DistillationMode.Off, 1);
        var plain = Recipe.Trainer(spec with { Recipe = "r1+mean+adam" }, threads: 1);
        var top = Recipe.Trainer(spec with { Recipe = "r1+mean+adam+top0.4" }, threads: 1);

        Assert.Equal([0.8, 0.8, 0.8, 1.6], top.SwitchLossWeights!.Select(w => Math.Round(w, 12)));
        Assert.Equal(plain with { SwitchLossWeights = top.SwitchLossWeights }, top);
        foreach (string wrong in new[] { "top0", "top1", "top1.5" })
            Assert.Throws<ArgumentException>(() => Recipe.Trainer(spec with { Recipe = "r1+" + wrong }, threads: 1));
        Assert.Throws<ArgumentException>(() => Recipe.Trainer(HandMadeCells.Dedicated("W1A1", 1) with { Recipe = "r1+top0.4" }, threads: 1));
    }

    [Fact]
    public void TheClipDiagnosisTrainsOnlyTheDedicatedModelTheClipChanges()
    {
        var cells = ExperimentCatalog.Resolve("diagnosis-clip")[0].Cells(Budget, [1]);

        Assert.Equal(
        [
            "spnet_w1a1-w1a2-w1a4-w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+meanloss",
            "spnet_w1a1-w1a2-w1a4-w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+meanloss-clip",
            "dedicated_w1a1_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a2_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a4_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1",
            "dedicated_w1a32_dorefa_off_resnet20_w1_e3_s1_fmnist100-50-abcdef12_r1+meanloss-clip",
        ], cells.Select(c => c.Key));
    }
}
