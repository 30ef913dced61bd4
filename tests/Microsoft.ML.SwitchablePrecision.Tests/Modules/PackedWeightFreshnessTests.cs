using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Modules;

public class PackedWeightFreshnessTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void AnOptimizerStepInTrainingModeIsSeenByTheNextPackedForward()
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 21, width: 0.5);
        network.ActivePrecision = new Precision(1, 2);
        var images = RealImages(0, 4);
        var before = PackedLogits(network, images);

        network.train();
        using (var optimizer = optim.SGD(network.parameters(), learningRate: 0.5))
        {
            optimizer.zero_grad();
            using var labels = tensor(new long[] { 0, 1, 2, 3 });
            nn.functional.cross_entropy(network.forward(images), labels).backward();
            optimizer.step();
        }
        network.eval();

        var packed = PackedLogits(network, images);
        var simulated = Logits(network, images, packed: false);
        Assert.True(RelativeDifference(before, simulated) > 1e-2, "the step should change the logits");
        Assert.InRange(RelativeDifference(packed, simulated), 0, Tolerance);
    }

    [Fact]
    public void WeightsChangedInPlaceInEvaluationModeAreRepacked()
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 22, width: 0.5);
        network.ActivePrecision = new Precision(1, 1);
        var images = RealImages(4, 2);
        PackedLogits(network, images);
        var conv = Convolutions(network).First(c => c.InputQuantizer is not null);
        Assert.Equal(1, conv.PackedWeightBuilds);

        using (no_grad()) conv.Weight.neg_(); // every sign flips: no mode change, no load
        var packed = PackedLogits(network, images);
        Assert.Equal(2, conv.PackedWeightBuilds);
        Assert.InRange(RelativeDifference(packed, Logits(network, images, packed: false)), 0, Tolerance);

        PackedLogits(network, images);
        Assert.Equal(2, conv.PackedWeightBuilds); // unchanged weights are not packed again
    }

    [Fact]
    public void LoadingSavedStateIntoAnEvaluatingNetworkReplacesThePackedWeights()
    {
        using var scope = NewDisposeScope();
        using var source = Calibrated(seed: 23, width: 0.5);
        using var target = Calibrated(seed: 24, width: 0.5);
        var images = RealImages(8, 2);
        source.ActivePrecision = target.ActivePrecision = new Precision(1, 4);
        var targetBefore = PackedLogits(target, images);

        var saved = new MemoryStream();
        source.save(saved);
        target.load(new MemoryStream(saved.ToArray())); // target stays in evaluation mode throughout

        var expected = Logits(source, images, packed: false);
        var packed = PackedLogits(target, images);
        Assert.True(RelativeDifference(targetBefore, expected) > 1e-2, "the two networks should differ before loading");
        Assert.InRange(RelativeDifference(packed, expected), 0, Tolerance);
    }

    [Fact]
    public void EnteringTrainingModeReachesEveryConvolution()
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 25, width: 0.5);
        network.ActivePrecision = new Precision(1, 1);
        PackedLogits(network, RealImages(0, 1));
        network.train();
        network.eval();
        PackedLogits(network, RealImages(0, 1));
        Assert.All(Convolutions(network).Where(c => c.InputQuantizer is not null),
            conv => Assert.Equal(2, conv.PackedWeightBuilds));
    }

    private static IEnumerable<QuantizedConv2d> Convolutions(SwitchableNetwork network) =>
        network.modules().OfType<QuantizedConv2d>().Distinct();
}
