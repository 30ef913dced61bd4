using Microsoft.ML.SwitchablePrecision.Experiments.Running;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

public sealed class FrozenRecipeTests
{
    // Recipe r1 of every stored cell, option by option. A cell key names its recipe, so none of these may follow a
    // library default: the runner's cells of 1 December measured "Test" before its own BatchNorm re-estimation, and a
    // later default of 50 re-estimation batches would have silently moved that step into training.
    private static readonly Dictionary<string, object?> R1 = new()
    {
        [nameof(TrainerOptions.Epochs)] = 3,
        [nameof(TrainerOptions.BatchSize)] = 128,
        [nameof(TrainerOptions.LearningRate)] = 0.1,
        [nameof(TrainerOptions.Optimizer)] = OptimizerKind.Sgd,
        [nameof(TrainerOptions.Momentum)] = 0.9,
        [nameof(TrainerOptions.Nesterov)] = false,
        [nameof(TrainerOptions.WeightDecay)] = 5e-4,
        [nameof(TrainerOptions.Schedule)] = LearningRateSchedule.Cosine,
        [nameof(TrainerOptions.StepSizeEpochs)] = 0,
        [nameof(TrainerOptions.StepGamma)] = 0.1,
        [nameof(TrainerOptions.WarmupEpochs)] = 0,
        [nameof(TrainerOptions.Distillation)] = DistillationMode.Off,
        [nameof(TrainerOptions.Temperature)] = 1.0,
        [nameof(TrainerOptions.HardLabelWeight)] = 1.0,
        [nameof(TrainerOptions.RandomCropPadding)] = 2,
        [nameof(TrainerOptions.HorizontalFlip)] = false,
        [nameof(TrainerOptions.SwitchLossReduction)] = SwitchLossReduction.Sum,
        [nameof(TrainerOptions.SwitchLossWeights)] = null,
        [nameof(TrainerOptions.FullPrecisionWarmStart)] = 0.0,
        [nameof(TrainerOptions.DecayQuantizedWeights)] = true,
        [nameof(TrainerOptions.BatchNormReestimationBatches)] = 0,
        [nameof(TrainerOptions.BatchNormReestimationBatchSize)] = 128,
        [nameof(TrainerOptions.Seed)] = 1,
        [nameof(TrainerOptions.Threads)] = 1,
        [nameof(TrainerOptions.CheckpointFolder)] = null,
        [nameof(TrainerOptions.CheckpointInterval)] = null,
    };

    [Fact]
    public void RecipeR1SetsEveryTrainerOptionToItsRecordedValue()
    {
        var options = Recipe.Trainer(HandMadeCells.SpNet(["W1A1", "W32A32"], DistillationMode.Off, seed: 1), threads: 1);
        foreach (var property in typeof(TrainerOptions).GetProperties())
        {
            Assert.True(R1.TryGetValue(property.Name, out var expected),
                $"TrainerOptions.{property.Name} is new: pin it in Recipe (to the value the stored cells were trained with) and record it here.");
            Assert.True(Equals(expected, property.GetValue(options)), $"Recipe r1 sets {property.Name} to {property.GetValue(options)}; recorded {expected}.");
        }
    }
}
