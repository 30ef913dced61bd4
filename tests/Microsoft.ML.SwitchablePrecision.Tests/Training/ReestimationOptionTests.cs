using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

// Trains with Threads = 1, which sets torch's process-wide thread count while it runs.
[Collection(ProcessWideStateCollection.Name)]
public class ReestimationOptionTests
{
    [Fact]
    public void TheReestimationOptionsEqualASeededReestimationAfterAPlainRunInBatchesOfTheirOwnSize()
    {
        var data = SubsetData.Balanced(TrainingData.Train, 20);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 50, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4, Seed = 2, Threads = 1, BatchNormReestimationBatches = 0 };
        using var plain = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        new SwitchableNetworkTrainer(options).Train(plain, data);
        var trained = StateOf(plain);
        BatchNormReestimation.Run(plain, data, batches: 3, batchSize: 30, seed: options.Seed);
        using var withOption = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        new SwitchableNetworkTrainer(options with { BatchNormReestimationBatches = 3, BatchNormReestimationBatchSize = 30 }).Train(withOption, data);

        var expected = StateOf(plain);
        var actual = StateOf(withOption);
        foreach (var name in expected.Keys) Assert.True(expected[name].SequenceEqual(actual[name]), $"{name} differs");
        Assert.Contains(expected.Keys, name => name.EndsWith("running_mean", StringComparison.Ordinal) && !trained[name].SequenceEqual(actual[name]));
        var error = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(options with { BatchNormReestimationBatches = -1 }));
        Assert.StartsWith("TrainerOptions.BatchNormReestimationBatches is -1; expected at least 0 (0 = off).", error.Message);
        error = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(options with { BatchNormReestimationBatchSize = 0 }));
        Assert.StartsWith("TrainerOptions.BatchNormReestimationBatchSize is 0; expected at least 1.", error.Message);
    }

    private static Dictionary<string, float[]> StateOf(nn.Module network) =>
        network.state_dict()
            .Where(entry => entry.Value.dtype == ScalarType.Float32)
            .ToDictionary(entry => entry.Key, entry => entry.Value.data<float>().ToArray());
}
