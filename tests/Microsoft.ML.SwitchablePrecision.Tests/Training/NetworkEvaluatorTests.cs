using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class NetworkEvaluatorTests
{
    [Fact]
    public void ProbabilitiesAreSoftmaxOfTheActiveSwitchInEvalMode()
    {
        using var network = TrainingData.NewNetwork(2, TrainingData.ThreeSwitches);
        new SwitchableNetworkTrainer(new TrainerOptions { Epochs = 1, BatchSize = 100, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4 }).Train(network, TrainingData.Train.Take(300));
        var data = TrainingData.HeldOut.Take(300); // more than one prediction batch
        network.ActivePrecision = Precision.Parse("W1A1");
        network.train();

        var probabilities = NetworkEvaluator.PredictProbabilities(network, data.Pixels, data.Count);

        Assert.Equal(300 * 10, probabilities.Length);
        for (int i = 0; i < data.Count; i++) Assert.Equal(1f, probabilities.AsSpan(i * 10, 10).ToArray().Sum(), 4);
        Assert.Equal(Precision.Parse("W1A1"), network.ActivePrecision);
        Assert.True(network.training);

        network.eval();
        using (no_grad())
        using (var logits = network.forward(tensor(data.Pixels[..(2 * 784)], [2, 1, 28, 28])))
        using (var expected = nn.functional.softmax(logits, 1))
        {
            // A batch of 2 and one of 256 may round differently in the last bit.
            var direct = expected.data<float>().ToArray();
            for (int i = 0; i < direct.Length; i++) Assert.Equal(direct[i], probabilities[i], 6);
        }

        var metrics = NetworkEvaluator.Evaluate(network, data, batchSize: 128);
        long correct = Enumerable.Range(0, data.Count)
            .Count(i => Array.IndexOf(probabilities, probabilities.AsSpan(i * 10, 10).ToArray().Max(), i * 10, 10) - i * 10 == data.Labels[i]);
        Assert.Equal((double)correct / data.Count, metrics[0].Accuracy, 12);
        Assert.Equal(TrainingData.ThreeSwitches, metrics.Select(m => m.Precision));
        Assert.NotEqual(metrics[0].Accuracy, metrics[2].Accuracy);
        Assert.Equal(Precision.Parse("W1A1"), network.ActivePrecision);
        Assert.False(network.training);
    }

    [Fact]
    public void WrongPixelCountIsReported()
    {
        using var network = TrainingData.NewNetwork(2, TrainingData.ThreeSwitches);
        var e = Assert.Throws<ArgumentException>(() => NetworkEvaluator.PredictProbabilities(network, new float[100], 1));
        Assert.StartsWith("The pixel buffer holds 100 values; 1 images of 1x28x28 need 784.", e.Message);
        Assert.Empty(NetworkEvaluator.PredictProbabilities(network, [], 0));
    }
}
