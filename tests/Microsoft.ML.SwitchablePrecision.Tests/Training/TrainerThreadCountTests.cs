using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;
using static Microsoft.ML.SwitchablePrecision.Tests.Training.SwitchableNetworkTrainerBehaviourTests;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

// TrainerOptions.Threads sets torch's process-wide thread count for the length of a training.
[Collection(ProcessWideStateCollection.Name)]
public class TrainerThreadCountTests
{
    [Fact]
    public void SameSeedDataAndThreadsGiveBitwiseIdenticalWeights()
    {
        var options = Short with { Threads = 2, HorizontalFlip = true };
        var first = TrainedState(options, 5);
        var second = TrainedState(options, 5);
        Assert.Equal(first.Keys, second.Keys);
        foreach (var name in first.Keys) Assert.True(first[name].SequenceEqual(second[name]), $"{name} differs between runs");

        var otherSeed = TrainedState(options with { Seed = 12 }, 5);
        Assert.Contains(first.Keys, name => !first[name].SequenceEqual(otherSeed[name]));
    }

    [Fact]
    public void TrainingRestoresActiveSwitchModeAndThreadCount()
    {
        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        network.ActivePrecision = Precision.Parse("W1A1");
        network.eval();
        int threads = torch.get_num_threads();
        new SwitchableNetworkTrainer(Short with { Threads = threads == 1 ? 2 : 1 }).Train(network, Slice(100));
        Assert.Equal(Precision.Parse("W1A1"), network.ActivePrecision);
        Assert.False(network.training);
        Assert.Equal(threads, torch.get_num_threads());
    }
}
