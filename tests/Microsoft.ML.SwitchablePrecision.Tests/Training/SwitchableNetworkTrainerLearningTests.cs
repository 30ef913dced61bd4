using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class SwitchableNetworkTrainerLearningTests
{
    [Fact]
    public void TwoEpochsOnFashionMnistLowerTheLossAndBeatChanceForEverySwitch()
    {
        using var network = TrainingData.NewNetwork(1, TrainingData.ThreeSwitches);
        var before = NetworkEvaluator.Evaluate(network, TrainingData.HeldOut);
        var reports = new List<TrainingProgress>();
        var trainer = new SwitchableNetworkTrainer(new TrainerOptions { Epochs = 2, BatchSize = 50, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4, Seed = 3, Distillation = DistillationMode.Recursive });

        var summary = trainer.Train(network, TrainingData.Train, TrainingData.HeldOut, reports.Add);

        var after = summary.FinalValidation!;
        Assert.Equal(TrainingData.ThreeSwitches, after.Select(m => m.Precision));
        for (int s = 0; s < after.Count; s++)
        {
            Assert.True(after[s].Loss < before[s].Loss - 0.5, $"{after[s].Precision}: loss {before[s].Loss:F3} -> {after[s].Loss:F3}");
            Assert.True(after[s].Accuracy > 0.5, $"{after[s].Precision}: held-out accuracy {after[s].Accuracy:P1}");
        }
        // Switches really differ: the binary-activation switch does not compute what full precision computes.
        Assert.NotEqual(after[0].Loss, after[2].Loss);

        Assert.Equal(2 * (20 + 1), reports.Count);
        Assert.Equal(2, reports.Count(r => r.IsEpochEnd));
        Assert.All(reports.Where(r => !r.IsEpochEnd), r => Assert.Null(r.Validation));
        Assert.Equal(summary.Epochs, reports.Where(r => r.IsEpochEnd));
        Assert.Equal(new[] { 1, 2 }, summary.Epochs.Select(e => e.Epoch));
        Assert.Equal(Enumerable.Range(1, 20), reports.Where(r => r.Epoch == 1 && !r.IsEpochEnd).Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(20, r.StepsPerEpoch));
        Assert.Equal(0.05 * 0.5 * (1 + Math.Cos(Math.PI * 39 / 40)), reports[^2].LearningRate, 12);
        Assert.True(summary.FinalTrain.All(m => m.Accuracy > 0.4));
        Assert.Equal(TimeSpan.Zero, reports[^1].EstimatedRemaining);
    }
}
