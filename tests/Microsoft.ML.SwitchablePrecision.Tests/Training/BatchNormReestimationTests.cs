using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class BatchNormReestimationTests
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 4), Precision.FullPrecision];

    private static SwitchableNetwork NewNetwork()
    {
        var network = NetworkFactory.Create(new NetworkOptions { Switches = Switches, WidthMultiplier = 0.5 }, seed: 5);
        using var generator = new Generator(5);
        // A few training-mode passes per switch with different inputs give each switch its own running statistics.
        network.train();
        using var noGrad = no_grad();
        for (int s = 0; s < Switches.Length; s++)
        {
            network.Context.ActiveIndex = s;
            using var images = rand(16, 1, 28, 28, generator: generator).mul(255 * (s + 1) / 3f);
            network.forward(images);
        }
        return network;
    }

    private static SwitchableBatchNorm2d FirstNorm(SwitchableNetwork network) =>
        network.modules().OfType<SwitchableBatchNorm2d>().First();

    private static Dictionary<string, float[]> Statistics(SwitchableNetwork network) =>
        network.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal))
            .ToDictionary(b => b.name, b => b.buffer.data<float>().ToArray());

    [Fact]
    public void EverySwitchGetsTheStatisticsOfTheSameImages()
    {
        using var network = NewNetwork();
        var first = FirstNorm(network);
        // The stem convolution is full precision, so its BatchNorm sees the same input at every switch.
        Assert.NotEqual(first.ForSwitch(0).running_mean!.data<float>().ToArray(), first.ForSwitch(2).running_mean!.data<float>().ToArray());

        BatchNormReestimation.Run(network, TrainingData.Train, batches: 2, batchSize: 50);

        for (int s = 1; s < Switches.Length; s++)
        {
            Assert.Equal(first.ForSwitch(0).running_mean!.data<float>().ToArray(), first.ForSwitch(s).running_mean!.data<float>().ToArray());
            Assert.Equal(first.ForSwitch(0).running_var!.data<float>().ToArray(), first.ForSwitch(s).running_var!.data<float>().ToArray());
        }
    }

    [Fact]
    public void TheStatisticsAreTheAverageOverTheBatchesOfEachBatchsMeanAndUnbiasedVariance()
    {
        const int batches = 3, batchSize = 40;
        using var network = NewNetwork();
        var data = TrainingData.Train;
        BatchNormReestimation.Run(network, data, batches, batchSize);

        // The first BatchNorm normalises the stem: a full-precision 3x3 convolution (stride 1, padding 1, no bias) of
        // the standardised pixels. Recompute it by hand from its weights, batch by batch in file order, in double.
        var weight = network.named_parameters().Single(p => p.name == "stem.weight").parameter.data<float>().ToArray();
        var o = network.Options;
        double inputMean = o.InputMean.Count == 0 ? 0 : o.InputMean[0], inputStd = o.InputStd.Count == 0 ? 1 : o.InputStd[0];
        int channels = weight.Length / 9;
        var expectedMean = new double[channels];
        var expectedVariance = new double[channels];
        var values = new double[batchSize * 28 * 28];
        for (int b = 0; b < batches; b++)
            for (int c = 0; c < channels; c++)
            {
                int v = 0;
                for (int n = b * batchSize; n < (b + 1) * batchSize; n++)
                    for (int y = 0; y < 28; y++)
                        for (int x = 0; x < 28; x++)
                        {
                            double sum = 0;
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int iy = y - 1 + ky, ix = x - 1 + kx;
                                    if (iy is >= 0 and < 28 && ix is >= 0 and < 28)
                                        sum += weight[c * 9 + ky * 3 + kx] * ((data.Pixels[n * 784 + iy * 28 + ix] - inputMean) / inputStd);
                                }
                            values[v++] = sum;
                        }
                double mean = values.Average();
                expectedMean[c] += mean / batches;
                expectedVariance[c] += values.Sum(x => (x - mean) * (x - mean)) / (values.Length - 1) / batches;
            }

        var stemNorm = FirstNorm(network);
        for (int s = 0; s < Switches.Length; s++)
        {
            var mean = stemNorm.ForSwitch(s).running_mean!.data<float>().ToArray();
            var variance = stemNorm.ForSwitch(s).running_var!.data<float>().ToArray();
            for (int c = 0; c < channels; c++)
            {
                Assert.True(Math.Abs(mean[c] - expectedMean[c]) <= 1e-4 * (1 + Math.Abs(expectedMean[c])),
                    $"switch {s} channel {c}: mean {mean[c]} against {expectedMean[c]}");
                Assert.True(Math.Abs(variance[c] - expectedVariance[c]) <= 1e-4 * expectedVariance[c],
                    $"switch {s} channel {c}: variance {variance[c]} against {expectedVariance[c]}");
            }
        }
    }

    [Fact]
    public void TheResultDoesNotDependOnThePreviousStatistics()
    {
        using var network = NewNetwork();
        BatchNormReestimation.Run(network, TrainingData.Train, batches: 3, batchSize: 40);
        var once = Statistics(network);
        using (no_grad())
            foreach (var (name, buffer) in network.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)))
                buffer.add_(7);

        BatchNormReestimation.Run(network, TrainingData.Train, batches: 3, batchSize: 40);

        var twice = Statistics(network);
        Assert.Equal(once.Keys, twice.Keys);
        foreach (string name in once.Keys) Assert.Equal(once[name], twice[name]);
    }

    [Fact]
    public void ParametersMomentumSwitchAndModeAreLeftAsTheyWere()
    {
        using var network = NewNetwork();
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
        network.eval();
        network.Context.ActiveIndex = 1;
        Assert.Equal(0.1, FirstNorm(network).ForSwitch(0).momentum);

        BatchNormReestimation.Run(network, TrainingData.Train, batches: 1, batchSize: 20);

        Assert.False(network.training);
        Assert.Equal(1, network.Context.ActiveIndex);
        foreach (var (name, parameter) in network.named_parameters()) Assert.Equal(parameters[name], parameter.data<float>().ToArray());
        Assert.All(network.modules().OfType<SwitchableBatchNorm2d>(),
            n => Assert.All(Enumerable.Range(0, Switches.Length), s => Assert.Equal(0.1, n.ForSwitch(s).momentum)));
    }

    [Fact]
    public void TheSeededFormSamplesDataSortedByClassEvenlyWhereTheFirstBatchesHoldTwoClasses()
    {
        // The rows of an image-folder pipeline arrive sorted by class; 2 batches of 50 are then classes 0 and 1 only.
        var data = TrainingData.Train;
        var sorted = data.Select(Enumerable.Range(0, data.Count).OrderBy(i => data.Labels[i]).ToArray());
        using var network = NewNetwork();
        BatchNormReestimation.Run(network, sorted, batches: sorted.Count / 50, batchSize: 50);
        var everyImage = StemMean(network);
        BatchNormReestimation.Run(network, sorted, batches: 2, batchSize: 50);
        double firstBatches = Distance(StemMean(network), everyImage);
        BatchNormReestimation.Run(network, sorted, batches: 2, batchSize: 50, seed: 3);
        var seeded = StemMean(network);
        double drawn = Distance(seeded, everyImage);

        // Measured: the first batches are off by 2.95 on average over the stem channels, the seeded draw (seed 3) by 0.77.
        Assert.True(drawn < firstBatches / 2, $"seeded draw off by {drawn}, first batches by {firstBatches}");
        BatchNormReestimation.Run(network, sorted, batches: 2, batchSize: 50, seed: 3);
        Assert.Equal(seeded, StemMean(network));
        BatchNormReestimation.Run(network, sorted, batches: 2, batchSize: 50, seed: 4);
        Assert.NotEqual(seeded, StemMean(network));
    }

    private static float[] StemMean(SwitchableNetwork network) => FirstNorm(network).ForSwitch(0).running_mean!.data<float>().ToArray();

    private static double Distance(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - (double)y)).Average();

    [Theory]
    [InlineData(0, 10, "Batches is 0; expected at least 1.")]
    [InlineData(1, 0, "Batch size is 0; expected at least 1.")]
    public void InvalidCountsAreNamed(int batches, int batchSize, string message)
    {
        using var network = NewNetwork();
        var error = Assert.Throws<ArgumentException>(() => BatchNormReestimation.Run(network, TrainingData.Train, batches, batchSize));
        Assert.StartsWith(message, error.Message);
        var seeded = Assert.Throws<ArgumentException>(() => BatchNormReestimation.Run(network, TrainingData.Train, batches, batchSize, seed: 1));
        Assert.StartsWith(message, seeded.Message);
    }
}
