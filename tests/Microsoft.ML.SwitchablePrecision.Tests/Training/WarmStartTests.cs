using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

// Trains with Threads = 1, which sets torch's process-wide thread count while it runs.
[Collection(ProcessWideStateCollection.Name)]
public class WarmStartTests
{
    private static readonly Precision[] BinaryAndFloat = [Precision.Parse("W1A1"), Precision.Parse("W1A2"), Precision.FullPrecision];

    private static SwitchableNetwork ResNet(int seed, params Precision[] switches) =>
        NetworkFactory.Create(new NetworkOptions { Switches = switches, WidthMultiplier = 0.25 }, seed);

    [Fact]
    public void TheFullPrecisionOverrideMakesAQuantizedSwitchComputeTheFloatNetwork()
    {
        using var network = ResNet(3, Precision.Parse("W1A1"), Precision.FullPrecision);
        network.eval();
        using var images = SubsetImages(8);
        using var noGrad = no_grad();
        network.Context.ActiveIndex = 1;
        using var full = network.forward(images);
        network.Context.ActiveIndex = 0;
        using var binary = network.forward(images);
        network.Context.FullPrecisionOverride = true;
        using var overridden = network.forward(images);
        network.Context.FullPrecisionOverride = false;

        // Both switches' BatchNorms are still at their initial state, so only the quantizers differ.
        Assert.True(overridden.eq(full).all().item<bool>());
        Assert.False(binary.allclose(full, rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void AWarmStartTrainsOnlyTheTeacherSlotFirstThenEverySwitchFromItsBatchNorm()
    {
        var options = new TrainerOptions { Epochs = 2, BatchSize = 50, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4, Seed = 4, Threads = 1, FullPrecisionWarmStart = 0.5 };
        using var network = TrainingData.NewNetwork(5, BinaryAndFloat);
        var reports = new List<TrainingProgress>();
        var summary = new SwitchableNetworkTrainer(options).Train(network, SubsetData.Balanced(TrainingData.Train, 30), TrainingData.HeldOut, reports.Add);

        // 300 images in batches of 50: 6 steps per epoch, so the warm start is exactly the first epoch.
        Assert.Equal([true, true, true, true, true, true, true, false, false, false, false, false, false, false],
            reports.Select(r => r.IsFullPrecisionWarmStart));
        Assert.True(summary.Epochs[0].IsFullPrecisionWarmStart);
        Assert.False(summary.Epochs[1].IsFullPrecisionWarmStart);
        var first = summary.Epochs[0].Train;
        Assert.True(double.IsNaN(first[0].Accuracy) && double.IsNaN(first[1].Accuracy), "quantized switches do not run during the warm start");
        Assert.False(double.IsNaN(first[2].Accuracy));
        Assert.All(summary.FinalTrain, m => Assert.False(double.IsNaN(m.Accuracy)));
        Assert.All(summary.FinalValidation!, m => Assert.True(m.Accuracy > 0.3, $"held-out {m}"));
        Assert.False(network.Context.FullPrecisionOverride);
    }

    [Fact]
    public void TheHandOverCopiesTheTeachersBatchNormToEverySwitch()
    {
        using var network = ResNet(3, BinaryAndFloat);
        var norms = network.modules().OfType<SwitchableBatchNorm2d>().ToList();
        using (no_grad())
            foreach (var norm in norms)
            {
                norm.ForSwitch(2).weight!.uniform_(0.5, 1.5);
                norm.ForSwitch(2).running_mean!.uniform_(-1, 1);
            }

        WarmStart.HandOverBatchNorm(network, teacher: 2);

        foreach (var norm in norms)
            for (int s = 0; s < 2; s++)
            {
                Assert.True(norm.ForSwitch(s).weight!.eq(norm.ForSwitch(2).weight!).all().item<bool>());
                Assert.True(norm.ForSwitch(s).running_mean!.eq(norm.ForSwitch(2).running_mean!).all().item<bool>());
                Assert.False(ReferenceEquals(norm.ForSwitch(s).weight, norm.ForSwitch(2).weight));
            }
    }

    [Fact]
    public void TheWarmStartFractionIsValidatedAndRoundedToSteps()
    {
        Assert.Equal(8, WarmStart.Steps(0.33, 24));
        Assert.Equal(0, WarmStart.Steps(0, 24));
        var error = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(new TrainerOptions { FullPrecisionWarmStart = 1 }));
        Assert.StartsWith("TrainerOptions.FullPrecisionWarmStart is 1; expected at least 0 and below 1 (a fraction of the training steps).", error.Message);
    }

    [Fact]
    public void LatentWeightsOfQuantizingLayersCanBeLeftUndecayed()
    {
        using var network = ResNet(3, Precision.Parse("W1A1"), Precision.Parse("W1A32"));
        var quantized = OptimizerFactory.QuantizedWeightNames(network);
        var names = network.named_parameters().Select(p => p.name).ToHashSet();
        // ResNet-20: 18 weight-quantizing 3x3 convolutions plus the 1x1 shortcut projections; the stem and classifier stay float.
        Assert.True(quantized.Count >= 18, string.Join(", ", quantized));
        Assert.Subset(names, quantized);

        var sgd = new TrainerOptions { Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4 };
        using var all = OptimizerFactory.Create(network, sgd);
        using var floatOnly = OptimizerFactory.Create(network, sgd with { DecayQuantizedWeights = false });
        var decayedAll = Decayed(all);
        var decayedFloat = Decayed(floatOnly);
        Assert.Equal(decayedAll - quantized.Count, decayedFloat);
        Assert.True(decayedFloat >= 2, "the stem and classifier weights keep their decay");
    }

    private static int Decayed(optim.Optimizer optimizer) =>
        optimizer.ParamGroups.Cast<ParamGroup>().Where(g => ((SGD.Options)g.Options).weight_decay > 0).Sum(g => g.Parameters.Count());

    private static Tensor SubsetImages(int count)
    {
        var data = TrainingData.HeldOut;
        return tensor(data.Pixels.AsSpan(0, count * data.ImageSize).ToArray(), [count, data.Channels, data.Height, data.Width]);
    }
}
