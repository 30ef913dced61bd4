using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// The one training recipe every cell uses; only the switches, quantizer, distillation mode, epochs and seed vary.
/// Change <see cref="Id"/> whenever a setting here changes, so old cached cells are not mixed with new ones.
/// </summary>
internal static class Recipe
{
    /// <summary>Version of the recipe, part of every cell key.</summary>
    public const string Id = "r1";

    /// <summary>Images per step.</summary>
    public const int BatchSize = 128;

    // Fashion-MNIST training-set pixel mean and standard deviation on the 0..255 scale.
    private const float PixelMean = 72.94f;
    private const float PixelStd = 90.02f;

    /// <summary>The network of <paramref name="spec"/>, with input normalisation for Fashion-MNIST.</summary>
    public static NetworkOptions Network(CellSpec spec) => new()
    {
        Architecture = spec.Architecture,
        InputChannels = 1,
        Height = 28,
        Width = 28,
        Classes = 10,
        Switches = spec.Switches.Select(Precision.Parse).ToArray(),
        Quantizer = spec.Quantizer,
        ClipFullPrecisionActivations = spec.RecipeVariant == MeanLossClipped,
        WidthMultiplier = spec.Width,
        InputMean = [PixelMean],
        InputStd = [PixelStd],
    };

    /// <summary>
    /// SGD with momentum 0.9, learning rate 0.1 with cosine decay to 0, weight decay 5e-4 on conv/linear weights,
    /// random 2-pixel crops; a distilled switch learns from the soft target at temperature 1 plus the hard labels
    /// (weight 1): soft-only distillation lost 5-7 points in short runs (docs/training.md), and the budget here is short.
    /// </summary>
    public static TrainerOptions Trainer(CellSpec spec, int threads)
    {
        var options = Plain(spec, threads);
        return spec.RecipeVariant switch
        {
            null => options,
            MeanLoss or MeanLossClipped => options with { SwitchLossWeights = spec.Switches.Select(_ => 1.0 / spec.Switches.Count).ToArray() },
            LearningRate04 => options with { LearningRate = 0.4 },
            TopHalf => options with { SwitchLossWeights = TopHalfWeights(spec.Switches.Count) },
            var other => RecipeSettings.Apply(options, other, spec.Switches.Count) ?? throw new ArgumentException(
                $"Cell '{spec.Key}' names recipe variant '{other}'; expected one of {string.Join(", ", Variants)}. " +
                $"A variant can also combine settings with '+': {RecipeSettings.Description}.", nameof(spec)),
        };
    }

    /// <summary>Variant: every switch's loss weighted 1/k (k switches), so the shared weights get the mean of the switch gradients, not their sum.</summary>
    public const string MeanLoss = "meanloss";

    /// <summary>Variant: learning rate 0.4, the step size a four-switch SP-Net's summed loss gives the shared weights.</summary>
    public const string LearningRate04 = "lr0.4";

    /// <summary>
    /// Variant: the highest-precision switch's loss weighted 1/2 and the other switches sharing the other half, so the
    /// shared weights get the same total step as with <see cref="MeanLoss"/> but the top switch pulls as hard as all
    /// the others together.
    /// </summary>
    public const string TopHalf = "tophalf";

    /// <summary>
    /// Variant: <see cref="MeanLoss"/>, and the 32-bit activation switch's layer inputs clipped to [0, 1] like the
    /// low-bit switches' (<see cref="NetworkOptions.ClipFullPrecisionActivations"/>). On a dedicated model (one switch,
    /// weight 1) only the clip differs from the plain recipe.
    /// </summary>
    public const string MeanLossClipped = "meanloss-clip";

    /// <summary>Every recipe variant.</summary>
    public static IReadOnlyList<string> Variants { get; } = [MeanLoss, LearningRate04, TopHalf, MeanLossClipped];

    private static double[] TopHalfWeights(int switches) =>
        switches < 2 ? [1.0] : [.. Enumerable.Repeat(0.5 / (switches - 1), switches - 1), 0.5];

    private static TrainerOptions Plain(CellSpec spec, int threads) => new()
    {
        Epochs = spec.Epochs,
        BatchSize = BatchSize,
        LearningRate = 0.1,
        Optimizer = OptimizerKind.Sgd,
        Momentum = 0.9,
        WeightDecay = 5e-4,
        Schedule = LearningRateSchedule.Cosine,
        Distillation = spec.Distillation,
        // r1 is the papers' convention; the library's default became Mean after these cells were measured.
        SwitchLossReduction = SwitchLossReduction.Sum,
        Temperature = 1,
        HardLabelWeight = 1,
        RandomCropPadding = 2,
        HorizontalFlip = false,
        // Pinned, not left to the library's defaults, so that a default changed later cannot change what a cell key
        // means: BatchNorm re-estimation in particular is the runner's own step after the first test evaluation
        // (CellTrainer), and the library's default became 50 batches after these cells were measured.
        Nesterov = false,
        WarmupEpochs = 0,
        StepSizeEpochs = 0,
        StepGamma = 0.1,
        FullPrecisionWarmStart = 0,
        DecayQuantizedWeights = true,
        BatchNormReestimationBatches = 0,
        // The trainer's re-estimation is off; CellTrainer re-estimates in batches of this size itself (in file order).
        BatchNormReestimationBatchSize = 128,
        Seed = spec.Seed,
        Threads = threads,
    };
}
