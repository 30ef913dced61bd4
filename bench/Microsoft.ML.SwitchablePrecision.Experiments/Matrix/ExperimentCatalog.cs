using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

/// <summary>
/// The named experiments. The SP-Net with distillation uses <see cref="DistillationMode.Recursive"/> (each switch
/// learns from the next-higher one, as in Any-Precision DNNs) and DoReFa unless the row says otherwise, so rows of
/// family1, quantizers and distillation share that run.
/// </summary>
internal static class ExperimentCatalog
{
    /// <summary>The name that runs every experiment.</summary>
    public const string All = "all";

    /// <summary>The distillation mode of the "SP-Net with distillation" rows.</summary>
    public const DistillationMode DefaultDistillation = DistillationMode.Recursive;

    /// <summary>The experiments in publication order.</summary>
    public static IReadOnlyList<Experiment> Experiments { get; } =
    [
        ThreeRows("family1", "Binary-weight family: SP-Net versus dedicated models", Families.BinaryWeight, [1, 2]),
        ThreeRows("family2", "Joint family: SP-Net versus dedicated models", Families.Joint, [1]),
        new("quantizers", "Quantizers on the binary-weight family (SP-Net with distillation)", Families.BinaryWeight,
        [
            SpNet("DoReFa", Families.BinaryWeight, QuantizerKind.DoReFa, DefaultDistillation),
            SpNet("PACT", Families.BinaryWeight, QuantizerKind.Pact, DefaultDistillation),
            SpNet("LSQ", Families.BinaryWeight, QuantizerKind.Lsq, DefaultDistillation),
        ], [1], AgainstFirstRow: "versus DoReFa"),
        new("distillation", "Distillation modes on the binary-weight family (SP-Net, DoReFa)", Families.BinaryWeight,
        [
            SpNet("Off (hard labels)", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off),
            SpNet("FromTeacher", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.FromTeacher),
            SpNet("Recursive", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Recursive),
        ], [1], AgainstFirstRow: "versus hard labels only"),
        new("diagnosis", "Why the SP-Net trails dedicated models: loss scale, learning rate, BatchNorm statistics (binary-weight family, no distillation)",
            Families.BinaryWeight,
        [
            SpNet(RowLabels.WithoutDistillation, Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off),
            SpNet("SP-Net, losses averaged", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off) with { RecipeVariant = Recipe.MeanLoss },
            SpNet("SP-Net, losses averaged, BN re-estimated", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off)
                with { RecipeVariant = Recipe.MeanLoss, Measure = AccuracyMeasure.AfterBatchNormReestimation },
            SpNet("SP-Net, losses averaged, distillation", Families.BinaryWeight, QuantizerKind.DoReFa, DefaultDistillation)
                with { RecipeVariant = Recipe.MeanLoss },
            SpNet("SP-Net, W1A32 loss weighted 1/2", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off)
                with { RecipeVariant = Recipe.TopHalf },
            new(RowLabels.Dedicated, CellKind.Dedicated, Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off),
            new("Dedicated, learning rate 0.4", CellKind.Dedicated, Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off, Recipe.LearningRate04),
            new("Dedicated, learning rate 0.4, BN re-estimated", CellKind.Dedicated, Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off,
                Recipe.LearningRate04, AccuracyMeasure.AfterBatchNormReestimation),
        ], [1]),
        new("diagnosis-joint", "Averaged switch losses on the joint family (SP-Net, no distillation)", Families.Joint,
        [
            SpNet(RowLabels.WithoutDistillation, Families.Joint, QuantizerKind.DoReFa, DistillationMode.Off),
            SpNet("SP-Net, losses averaged", Families.Joint, QuantizerKind.DoReFa, DistillationMode.Off) with { RecipeVariant = Recipe.MeanLoss },
            new(RowLabels.Dedicated, CellKind.Dedicated, Families.Joint, QuantizerKind.DoReFa, DistillationMode.Off),
        ], [1]),
        new("diagnosis-clip", "Activations clipped to [0, 1] at the 32-bit switch too, so one set of weights sees one activation range (binary-weight family, losses averaged, no distillation)",
            Families.BinaryWeight,
        [
            SpNet("SP-Net, losses averaged", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off) with { RecipeVariant = Recipe.MeanLoss },
            SpNet("SP-Net, losses averaged, A32 clipped", Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off)
                with { RecipeVariant = Recipe.MeanLossClipped },
            new(RowLabels.Dedicated, CellKind.Dedicated, Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off),
            // Only W1A32: a dedicated model at 1 to 4 activation bits clips already, so its cells would repeat the plain ones.
            new("Dedicated, A32 clipped", CellKind.Dedicated, ["W1A32"], QuantizerKind.DoReFa, DistillationMode.Off, Recipe.MeanLossClipped),
        ], [1, 2]),
        new("short-budget", "Short budgets: recipe changes for the binary-weight SP-Net against a dedicated float model of the same library, budget and data (docs/results/short-budget)",
            [.. Families.BinaryWeight, "W32A32"],
        [
            .. ShortBudgetTable,
            ShortBudgetSpNet("SP-Net, Adam lr 0.001, no weight decay", "mean+adam+wd0"),
            ShortBudgetSpNet("SP-Net, Adam lr 0.005, no weight decay", "mean+adam+lr0.005+wd0"),
            ShortBudgetSpNet("SP-Net, no decay on latent binary weights", "mean+qwd0"),
            ShortBudgetSpNet("SP-Net, Adam lr 0.001", "mean+adam"),
            ShortBudgetSpNet("SP-Net, recursive distillation", "mean", DistillationMode.Recursive),
            ShortBudgetSpNet("SP-Net, BN re-estimated", "mean") with { Measure = AccuracyMeasure.AfterBatchNormReestimation },
        ], [1], AgainstFirstRow: "what each recipe change buys", AgainstDedicated: "W32A32"),
        new("short-budget-table", "Short budgets: the binary-weight SP-Net with the library defaults and with a float warm start against dedicated models of the same budget and data",
            [.. Families.BinaryWeight, "W32A32"], ShortBudgetTable, [1], AgainstDedicated: "W32A32"),
        new("short-budget-adam", "Short budgets: Adam without weight decay (the best change at 3,000 images and 3 epochs) at every budget, against dedicated models of the library defaults and of the same recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            ShortBudgetSpNet("SP-Net, library defaults", "mean"),
            new(RowLabels.Dedicated, CellKind.Dedicated, ["W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, "mean"),
            ShortBudgetSpNet("SP-Net, Adam lr 0.005, no weight decay", "mean+adam+lr0.005+wd0"),
            ShortBudgetSpNet("SP-Net, Adam lr 0.005, no weight decay, BN re-estimated", "mean+adam+lr0.005+wd0") with { Measure = AccuracyMeasure.AfterBatchNormReestimation },
            ShortBudgetSpNet("SP-Net, Adam lr 0.01, no weight decay", "mean+adam+lr0.01+wd0"),
            new("Dedicated, Adam lr 0.005, no weight decay", CellKind.Dedicated, ["W1A1", "W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, "mean+adam+lr0.005+wd0"),
        ], [1, 2], AgainstFirstRow: "what each recipe change buys", AgainstDedicated: "W32A32"),
        new("short-budget-adam2", "Short budgets: Adam at 0.01 without weight decay, a larger step, BN re-estimation and a short float warm start on top, against dedicated models of the same recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            ShortBudgetSpNet("SP-Net, Adam lr 0.01, no weight decay", "mean+adam+lr0.01+wd0"),
            new(RowLabels.Dedicated, CellKind.Dedicated, ["W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, "mean"),
            ShortBudgetSpNet("SP-Net, Adam lr 0.02, no weight decay", "mean+adam+lr0.02+wd0"),
            ShortBudgetSpNet("SP-Net, Adam lr 0.01, no weight decay, BN re-estimated", "mean+adam+lr0.01+wd0") with { Measure = AccuracyMeasure.AfterBatchNormReestimation },
            ShortBudgetSpNet("SP-Net, Adam lr 0.01, no weight decay, float warm start 10%", "mean+adam+lr0.01+wd0+warm0.1"),
            new("Dedicated, Adam lr 0.01, no weight decay", CellKind.Dedicated, ["W1A1", "W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, "mean+adam+lr0.01+wd0"),
        ], [1, 2], AgainstFirstRow: "what each change buys on top of Adam 0.01", AgainstDedicated: "W32A32"),
        new("short-budget-teacher", "Short budgets: a float switch trained alongside the binary-weight family (hard labels or teaching the others) and smaller batches, on the Adam 0.01 default, against a float network of the same recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (Adam 0.01, BN re-estimated)", ""),
            // Labelled "Dedicated" so that the targets table compares against the float network of the same (default) recipe.
            new(RowLabels.Dedicated, CellKind.Dedicated, ["W1A1", "W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, DefaultRecipe,
                AccuracyMeasure.AfterBatchNormReestimation),
            .. TeachingRows(""),
            DefaultRecipeSpNet("SP-Net, batch 32", "+bs32"),
            FloatNetwork("Dedicated, batch 32", "+bs32"),
        ], [1, 2], AgainstFirstRow: "what each change buys on the defaults", AgainstDedicated: "W32A32"),
        new("short-budget-batch", "Short budgets: smaller batches (more steps for the same epochs) on the Adam 0.01 default, SP-Net and float network alike",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 128)", ""),
            FloatNetwork(RowLabels.Dedicated),
            DefaultRecipeSpNet("SP-Net, batch 32", "+bs32"),
            FloatNetwork("Dedicated, batch 32", "+bs32"),
            DefaultRecipeSpNet("SP-Net, batch 64", "+bs64"),
            FloatNetwork("Dedicated, batch 64", "+bs64"),
        ], [1, 2], AgainstFirstRow: "what a smaller batch buys", AgainstDedicated: "W32A32"),
        new("short-budget-distillation", "Short budgets: recursive distillation (the training sample's setting) on the Adam 0.01 default, at batch 128 and 32",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 128)", ""),
            FloatNetwork(RowLabels.Dedicated),
            DefaultRecipeSpNet("SP-Net, recursive distillation", "", DistillationMode.Recursive),
            DefaultRecipeSpNet("SP-Net, batch 32", "+bs32"),
            DefaultRecipeSpNet("SP-Net, batch 32, recursive distillation", "+bs32", DistillationMode.Recursive),
        ], [1, 2], AgainstFirstRow: "what distillation buys", AgainstDedicated: "W32A32"),
        new("short-budget-teacher32", "Short budgets: a teaching switch (W1A32, or a W32A32 switch added to the family) at batch 32, the default, against a float network of the same recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 32)", "+bs32"),
            FloatNetwork(RowLabels.Dedicated, "+bs32"),
            .. TeachingRows("+bs32"),
        ], [1, 2], AgainstFirstRow: "what a teaching switch buys at batch 32", AgainstDedicated: "W32A32"),
        new("short-budget-float-switch", "Short budgets: the W32A32 switch on hard labels beside the binary-weight family at batch 32, alone and with a float warm start, against a float network of the same recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 32)", "+bs32"),
            FloatNetwork(RowLabels.Dedicated, "+bs32"),
            FloatSwitchRow("SP-Net + W32A32 switch, hard labels", "+bs32", DistillationMode.Off),
            FloatSwitchRow("SP-Net + W32A32 switch, hard labels, float warm start 10%", "+bs32+warm0.1", DistillationMode.Off),
            DefaultRecipeSpNet("SP-Net, float warm start 10% (no float switch)", "+bs32+warm0.1"),
        ], [1, 2], AgainstFirstRow: "what the float switch and a warm start buy at batch 32", AgainstDedicated: "W32A32"),
        new("short-budget-warm-length", "Short budgets: longer float warm starts (10, 30 and 50% of the steps) on the default recipe at batch 32, against a float network of the same recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 32)", "+bs32"),
            FloatNetwork(RowLabels.Dedicated, "+bs32"),
            DefaultRecipeSpNet("SP-Net, float warm start 10%", "+bs32+warm0.1"),
            DefaultRecipeSpNet("SP-Net, float warm start 30%", "+bs32+warm0.3"),
            DefaultRecipeSpNet("SP-Net, float warm start 50%", "+bs32+warm0.5"),
        ], [1, 2], AgainstFirstRow: "what a longer warm start buys at batch 32", AgainstDedicated: "W32A32"),
        new("short-budget-step", "Short budgets: a smaller and a larger Adam step (0.005, 0.02) on the default recipe at batch 32 with its 10% float warm start, against a float network of the default recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 32, float warm start 10%)", "+bs32+warm0.1"),
            FloatNetwork(RowLabels.Dedicated, "+bs32"),
            ReestimatedSpNet("SP-Net, Adam lr 0.005", "mean+adam+lr0.005+wd0+bs32+warm0.1"),
            ReestimatedSpNet("SP-Net, Adam lr 0.02", "mean+adam+lr0.02+wd0+bs32+warm0.1"),
        ], [1, 2], AgainstFirstRow: "what another Adam step buys", AgainstDedicated: "W32A32"),
        // Whether the binary weights or the sharing costs the points: dedicated networks of every switch on the same recipe.
        new("short-budget-dedicated", "Short budgets: dedicated networks of every binary-weight switch on the default recipe (batch 32, 10% float warm start), against the SP-Net and the float network of that recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 32, float warm start 10%)", "+bs32+warm0.1"),
            new(RowLabels.Dedicated, CellKind.Dedicated, [.. Families.BinaryWeight, "W32A32"], QuantizerKind.DoReFa, DistillationMode.Off,
                DefaultRecipe + "+bs32+warm0.1", AccuracyMeasure.AfterBatchNormReestimation),
            FloatNetwork("Float network without the warm start", "+bs32"),
        ], [1, 2], AgainstFirstRow: "what a dedicated network gains over the shared one", AgainstDedicated: "W32A32"),
        // W1A32's dedicated network nearly matches the float one, the shared switch does not: a larger share of the loss for it.
        new("short-budget-top", "Short budgets: the W1A32 switch's loss given 40% and 55% of the total (25% by default) on the default recipe at batch 32 with its warm start, against a float network of the default recipe",
            [.. Families.BinaryWeight, "W32A32"],
        [
            DefaultRecipeSpNet("SP-Net, defaults (batch 32, float warm start 10%)", "+bs32+warm0.1"),
            FloatNetwork(RowLabels.Dedicated, "+bs32"),
            DefaultRecipeSpNet("SP-Net, W1A32 loss 40%", "+bs32+warm0.1+top0.4"),
            DefaultRecipeSpNet("SP-Net, W1A32 loss 55%", "+bs32+warm0.1+top0.55"),
        ], [1, 2], AgainstFirstRow: "what a larger W1A32 share buys", AgainstDedicated: "W32A32"),
        // Run on the full data for at least 15 epochs (--epochs 15), resumed across sittings from per-epoch checkpoints.
        new("family1-converged", "Binary-weight family near convergence: the SP-Net with the Adam recipe against dedicated models of the same recipe and epochs",
            [.. Families.BinaryWeight, "W32A32"],
        [
            ShortBudgetSpNet("SP-Net, Adam lr 0.01, no weight decay", "mean+adam+lr0.01+wd0"),
            new("Dedicated, Adam lr 0.01, no weight decay", CellKind.Dedicated, ["W32A32", "W1A32", "W1A4", "W1A2", "W1A1"], QuantizerKind.DoReFa,
                DistillationMode.Off, "mean+adam+lr0.01+wd0"),
        ], [1]),
    ];

    // The library's default recipe since 1 December (BatchNorm re-estimation is the row's measure, not part of the key).
    private const string DefaultRecipe = "mean+adam+lr0.01+wd0";

    // The rows every short budget has (the warm start was the first change that helped at 3,000 images and 3 epochs,
    // so it is checked at every budget); the ablation adds the other recipe changes at the budgets it covers.
    private static IReadOnlyList<ExperimentRow> ShortBudgetTable =>
    [
        ShortBudgetSpNet("SP-Net, library defaults", "mean"),
        new(RowLabels.Dedicated, CellKind.Dedicated, ["W1A1", "W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, "mean"),
        ShortBudgetSpNet("SP-Net, float warm start 30%", "mean+warm0.3"),
    ];

    /// <summary>Every experiment name accepted by <c>run</c>, <see cref="All"/> last.</summary>
    public static IReadOnlyList<string> Names => [.. Experiments.Select(e => e.Name), All];

    /// <summary>
    /// The experiments called <paramref name="names"/>: one name, several separated by commas (run in that order), or
    /// <see cref="All"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No experiment has one of the names.</exception>
    public static IReadOnlyList<Experiment> Resolve(string names) =>
        names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).SelectMany(ResolveOne).DistinctBy(e => e.Name).ToList();

    private static IReadOnlyList<Experiment> ResolveOne(string name)
    {
        if (string.Equals(name, All, StringComparison.OrdinalIgnoreCase)) return Experiments;
        var found = Experiments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
        return found is null
            ? throw new ArgumentException($"Unknown experiment '{name}': expected one of {string.Join(", ", Names)}.", nameof(name))
            : [found];
    }

    private static Experiment ThreeRows(string name, string title, IReadOnlyList<string> family, IReadOnlyList<int> seeds) => new(name, title, family,
    [
        SpNet(RowLabels.WithDistillation, family, QuantizerKind.DoReFa, DefaultDistillation),
        SpNet(RowLabels.WithoutDistillation, family, QuantizerKind.DoReFa, DistillationMode.Off),
        new(RowLabels.Dedicated, CellKind.Dedicated, family, QuantizerKind.DoReFa, DistillationMode.Off),
    ], seeds);

    // An SP-Net row on the library's default recipe (plus an optional "+setting" suffix), read after BatchNorm
    // re-estimation as the library does by default.
    // The teaching-switch rows on the default recipe plus extra: W1A32 teaching, and a W32A32 switch added to the
    // family on hard labels or teaching.
    private static IReadOnlyList<ExperimentRow> TeachingRows(string extra) =>
    [
        DefaultRecipeSpNet("SP-Net, W1A32 teaches", extra, DistillationMode.FromTeacher),
        FloatSwitchRow("SP-Net + W32A32 switch, hard labels", extra, DistillationMode.Off),
        FloatSwitchRow("SP-Net + W32A32 switch, which teaches", extra, DistillationMode.FromTeacher),
    ];

    // The binary-weight family plus a W32A32 switch, on the default recipe plus extra.
    private static ExperimentRow FloatSwitchRow(string label, string extra, DistillationMode mode) =>
        new(label, CellKind.SpNet, [.. Families.BinaryWeight, "W32A32"], QuantizerKind.DoReFa, mode, DefaultRecipe + extra,
            AccuracyMeasure.AfterBatchNormReestimation);

    // The float network of the default recipe (plus extra settings), by the re-estimated accuracy like the SP-Nets beside it.
    private static ExperimentRow FloatNetwork(string label, string extra = "") =>
        new(label, CellKind.Dedicated, ["W32A32"], QuantizerKind.DoReFa, DistillationMode.Off, DefaultRecipe + extra, AccuracyMeasure.AfterBatchNormReestimation);

    private static ExperimentRow DefaultRecipeSpNet(string label, string extra, DistillationMode mode = DistillationMode.Off) =>
        ReestimatedSpNet(label, DefaultRecipe + extra, mode);

    // An SP-Net of the short-budget family read after BatchNorm re-estimation (as the library's default recipe does).
    private static ExperimentRow ReestimatedSpNet(string label, string variant, DistillationMode mode = DistillationMode.Off) =>
        ShortBudgetSpNet(label, variant, mode) with { Measure = AccuracyMeasure.AfterBatchNormReestimation };

    private static ExperimentRow ShortBudgetSpNet(string label, string variant, DistillationMode mode = DistillationMode.Off) =>
        new(label, CellKind.SpNet, Families.BinaryWeight, QuantizerKind.DoReFa, mode, variant);

    private static ExperimentRow SpNet(string label, IReadOnlyList<string> family, QuantizerKind quantizer, DistillationMode mode) =>
        new(label, CellKind.SpNet, family, quantizer, mode);
}

/// <summary>The labels of the three rows of a family table; the comparison tables look rows up by them.</summary>
internal static class RowLabels
{
    /// <summary>SP-Net trained with self-distillation.</summary>
    public const string WithDistillation = "SP-Net, distillation";

    /// <summary>SP-Net trained with hard labels only.</summary>
    public const string WithoutDistillation = "SP-Net, no distillation";

    /// <summary>One model per switch.</summary>
    public const string Dedicated = "Dedicated";
}
