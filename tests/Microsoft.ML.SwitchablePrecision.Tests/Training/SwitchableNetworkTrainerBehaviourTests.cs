using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class SwitchableNetworkTrainerBehaviourTests
{
    internal static readonly TrainerOptions Short = new() { Epochs = 1, BatchSize = 50, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4, Seed = 11 };

    internal static ImageDataset Slice(int count) => SubsetData.Balanced(TrainingData.Train, count / 10);

    [Theory]
    [InlineData(SwitchLossReduction.Mean, null)]
    [InlineData(SwitchLossReduction.Sum, null)]
    [InlineData(SwitchLossReduction.Mean, new[] { 2.0, 0, 1 })]
    [InlineData(SwitchLossReduction.Sum, new[] { 2.0, 0, 1 })]
    public void OneStepMovesEachWeightByTheLearningRateTimesTheWeightedMeanOrSumOfTheSwitchGradients(
        SwitchLossReduction reduction, double[]? lossWeights)
    {
        const double rate = 0.05;
        var data = Slice(20);
        var options = new TrainerOptions
        {
            Epochs = 1, BatchSize = data.Count, LearningRate = rate, Optimizer = OptimizerKind.Sgd, Momentum = 0, WeightDecay = 0,
            Schedule = LearningRateSchedule.Constant, RandomCropPadding = 0, Seed = 3,
            SwitchLossReduction = reduction, SwitchLossWeights = lossWeights,
        };
        using var trained = TrainingData.NewNetwork(9, TrainingData.ThreeSwitches);
        new SwitchableNetworkTrainer(options).Train(trained, data);

        // The reference: each switch's cross-entropy gradient at the initial weights, taken separately on an identical
        // network and the same batch (in the trainer's shuffled order), then combined by hand: w - rate * sum_s c_s g_s
        // with c_s = weight_s (Sum) or weight_s / 3 (Mean).
        using var reference = TrainingData.NewNetwork(9, TrainingData.ThreeSwitches);
        var sampler = new BatchSampler(data, data.Count, padding: 0, flip: false, seed: options.Seed);
        sampler.Shuffle();
        var (pixels, labels) = sampler.Batch(0);
        var weights = lossWeights ?? [1, 1, 1];
        double scale = reduction == SwitchLossReduction.Mean ? 1.0 / 3 : 1.0;
        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().Select(v => (double)v).ToArray());
        var initial = expected.ToDictionary(e => e.Key, e => e.Value.ToArray());
        reference.train();
        using (var images = tensor(pixels, [labels.Length, 1, 28, 28]))
        using (var targets = tensor(labels))
            for (int s = 0; s < 3; s++)
            {
                reference.zero_grad();
                reference.Context.ActiveIndex = s;
                using (var loss = nn.functional.cross_entropy(reference.forward(images), targets)) loss.backward();
                foreach (var (name, parameter) in reference.named_parameters())
                    if (parameter.grad is { } grad)
                    {
                        var g = grad.data<float>().ToArray();
                        for (int i = 0; i < g.Length; i++) expected[name][i] -= rate * scale * weights[s] * g[i];
                    }
            }

        var actual = StateOf(trained);
        double largestStep = expected.Max(e => e.Value.Select((v, i) => Math.Abs(v - initial[e.Key][i])).Max());
        Assert.True(largestStep > 1e-3, $"the step is too small to tell the reductions apart: {largestStep}");
        foreach (var (name, values) in expected)
            for (int i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(actual[name][i] - values[i]) <= 1e-6 + 1e-4 * Math.Abs(values[i] - initial[name][i]),
                    $"{name}[{i}]: expected {values[i]:R} (from {initial[name][i]:R}), got {actual[name][i]:R}");
    }

    [Fact]
    public void DedicatedSingleSwitchNetworkTrainsOnHardLabelsWhateverTheDistillationMode()
    {
        var w1a2 = Precision.Parse("W1A2");
        var off = TrainedState(Short with { Distillation = DistillationMode.Off }, 7, w1a2);
        var recursive = TrainedState(Short with { Distillation = DistillationMode.Recursive, HardLabelWeight = 0.5 }, 7, w1a2);
        foreach (var name in off.Keys) Assert.True(off[name].SequenceEqual(recursive[name]), $"{name} differs");

        using var network = TrainingData.NewNetwork(7, w1a2);
        var summary = new SwitchableNetworkTrainer(Short with { Epochs = 2 }).Train(network, TrainingData.Train, TrainingData.HeldOut);
        var single = Assert.Single(summary.FinalValidation!);
        Assert.Equal(w1a2, single.Precision);
        Assert.True(single.Accuracy > 0.5, $"held-out accuracy {single.Accuracy:P1}");
    }

    [Theory]
    [InlineData(DistillationMode.Off)]
    [InlineData(DistillationMode.FromTeacher)]
    [InlineData(DistillationMode.Recursive)]
    public void EveryDistillationModeTrainsAndTheModesDiffer(DistillationMode mode)
    {
        // Judged on held-out images after two epochs: the running training accuracy of a first epoch this short
        // sits near chance (0.18-0.29 measured) and differs by CPU, so it cannot tell training from not training.
        var options = Short with { Epochs = 2, Distillation = mode, HardLabelWeight = 0.25, Temperature = 2 };
        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        var summary = new SwitchableNetworkTrainer(options).Train(network, Slice(300), TrainingData.HeldOut);
        Assert.All(summary.FinalValidation!, m => Assert.True(m.Accuracy > 0.4, $"{mode} held-out {m}"));
        for (int i = 0; i < summary.FinalTrain.Count; i++)
            Assert.True(summary.FinalTrain[i].Loss < summary.Epochs[0].Train[i].Loss, $"{mode} loss did not fall: {summary.FinalTrain[i]}");

        var state = StateOf(network);
        foreach (var other in Enum.GetValues<DistillationMode>().Where(m => m != mode))
        {
            var otherState = TrainedState(options with { Distillation = other }, 5, TrainingData.ThreeSwitches, Slice(300));
            Assert.Contains(state.Keys, name => !state[name].SequenceEqual(otherState[name]));
        }
    }

    [Fact]
    public void ASwitchWithLossWeightZeroGetsNoGradientButStillRunsForward()
    {
        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        var initial = StateOf(network);
        new SwitchableNetworkTrainer(Short with { SwitchLossWeights = [0, 1, 1] }).Train(network, Slice(100));
        var trained = StateOf(network);
        // Switch 0 (W1A1) owns BatchNorm slot 0 of both norms: its affine parameters must not move, its statistics must.
        foreach (var norm in new[] { "_norm1.0", "_norm2.0" })
        {
            Assert.Equal(initial[$"{norm}.weight"], trained[$"{norm}.weight"]);
            Assert.Equal(initial[$"{norm}.bias"], trained[$"{norm}.bias"]);
            Assert.NotEqual(initial[$"{norm}.running_mean"], trained[$"{norm}.running_mean"]);
        }
        Assert.NotEqual(initial["_norm1.1.weight"], trained["_norm1.1.weight"]);
    }

    [Fact]
    public void CancellationStopsBetweenStepsAndKeepsTheNetworkUsable()
    {
        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        Assert.Throws<OperationCanceledException>(() => new SwitchableNetworkTrainer(Short).Train(network, Slice(300), null,
            p => { if (++steps == 3) cancel.Cancel(); }, cancel.Token));
        Assert.Equal(3, steps);
        Assert.Equal(Precision.FullPrecision, network.ActivePrecision);
        Assert.True(network.training);
    }

    [Fact]
    public void LiveTensorCountStaysFlatAcrossStepsAndEvaluations()
    {
        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        var data = Slice(300);
        var trainer = new SwitchableNetworkTrainer(Short with { Epochs = 2 });
        var liveAtStep = new List<long>();
        trainer.Train(network, data, data.Take(100), _ => liveAtStep.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        // After the first step the optimizer state exists; from then on every step and validation must free what it makes.
        Assert.All(liveAtStep.Skip(1), count => Assert.Equal(liveAtStep[1], count));

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var leaked = torch.zeros(1))
            Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount); // the counter sees every tensor
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        trainer.Train(network, data);
        for (int i = 0; i < 3; i++)
        {
            NetworkEvaluator.Evaluate(network, data, batchSize: 64);
            NetworkEvaluator.PredictProbabilities(network, data.Pixels, data.Count);
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void DataThatDoesNotFitTheNetworkIsRejectedWithShapes()
    {
        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        var wrongSize = new ImageDataset(new float[2 * 32 * 32], [0, 1], 1, 32, 32, 10);
        var e = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(Short).Train(network, wrongSize));
        Assert.StartsWith("The training images are 1x32x32 (channels x height x width) but the network expects 1x28x28.", e.Message);

        var wrongClasses = new ImageDataset(new float[2 * 28 * 28], [0, 1], 1, 28, 28, 3);
        e = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(Short).Train(network, Slice(100), wrongClasses));
        Assert.StartsWith("The validation data has 3 classes but the network has 10 outputs.", e.Message);

        e = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(Short with { SwitchLossWeights = [1, 1] }).Train(network, Slice(100)));
        Assert.StartsWith("TrainerOptions.SwitchLossWeights has 2 entries; the network has 3 switches", e.Message);

        e = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(Short with { RandomCropPadding = 28 }).Train(network, Slice(100)));
        Assert.StartsWith("TrainerOptions.RandomCropPadding is 28; expected less than the image side (28 px).", e.Message);
    }

    internal static Dictionary<string, float[]> TrainedState(TrainerOptions options, int seed, params Precision[] switches) =>
        TrainedState(options, seed, switches.Length == 0 ? TrainingData.ThreeSwitches : switches, Slice(300));

    private static Dictionary<string, float[]> TrainedState(TrainerOptions options, int seed, Precision[] switches, ImageDataset data)
    {
        using var network = TrainingData.NewNetwork(seed, switches);
        new SwitchableNetworkTrainer(options).Train(network, data);
        return StateOf(network);
    }

    // Parameters and buffers (BatchNorm running statistics) as float arrays, for bitwise comparison.
    private static Dictionary<string, float[]> StateOf(nn.Module network) =>
        network.state_dict()
            .Where(entry => entry.Value.dtype == ScalarType.Float32)
            .ToDictionary(entry => entry.Key, entry => entry.Value.data<float>().ToArray());
}
