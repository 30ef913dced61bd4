using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp.Modules;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class OptimizerFactoryTests
{
    [Fact]
    public void WeightDecayGoesOnlyToConvolutionAndLinearWeights()
    {
        using var network = TrainingData.NewNetwork(2, TrainingData.ThreeSwitches);
        using var optimizer = OptimizerFactory.Create(network, new TrainerOptions { Optimizer = OptimizerKind.Sgd, WeightDecay = 0.01 });
        var groups = optimizer.ParamGroups.Cast<ParamGroup>().ToArray();
        Assert.Equal(2, groups.Length);
        Assert.All(groups[0].Parameters, p => Assert.True(p.dim() >= 2));
        Assert.All(groups[1].Parameters, p => Assert.True(p.dim() == 1));
        Assert.Equal(3, groups[0].Parameters.Count()); // conv1, conv2, classifier weights
        Assert.Equal(3 * 2 * 2 + 1, groups[1].Parameters.Count()); // two BatchNorms per switch (weight, bias), classifier bias
        Assert.Equal(0.01, ((SGD.Options)groups[0].Options).weight_decay);
        Assert.Equal(0.0, ((SGD.Options)groups[1].Options).weight_decay);

        OptimizerFactory.SetLearningRate(optimizer, 0.25);
        Assert.All(groups, g => Assert.Equal(0.25, g.LearningRate));
    }
}
