using Microsoft.ML.SwitchablePrecision.Modules;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Modules;

public class PackedInferenceTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData("W1A1", 1, false)]
    [InlineData("W1A1", 6, false)]
    [InlineData("W1A1", 6, true)]
    [InlineData("W1A2", 1, true)]
    [InlineData("W1A2", 6, false)]
    [InlineData("W1A2", 6, true)]
    [InlineData("W1A4", 1, false)]
    [InlineData("W1A4", 6, true)]
    public void PackedResNet20AgreesWithTheSimulatedNetwork(string precision, int batch, bool realImages)
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 11);
        network.ActivePrecision = Precision.Parse(precision);
        network.Context.PackedBatchBitsLimit = int.MaxValue; // agreement must not depend on the speed policy
        var images = realImages ? RealImages(40, batch) : RandomImages(batch, seed: 12);

        long before = network.Context.PackedConvolutions;
        var packed = Logits(network, images, packed: true);
        Assert.Equal(PackedLayersOfResNet20, network.Context.PackedConvolutions - before);
        var simulated = Logits(network, images, packed: false);
        Assert.Equal(PackedLayersOfResNet20, network.Context.PackedConvolutions - before);

        double difference = RelativeDifference(packed, simulated);
        output.WriteLine($"{precision}, batch {batch}, {(realImages ? "real" : "random")} images: relative difference {difference:G3}");
        Assert.InRange(difference, 0, Tolerance);
        Assert.Equal(ArgMax(simulated, 10), ArgMax(packed, 10));
    }

    [Theory]
    [InlineData("W1A1")]
    [InlineData("W1A2")]
    [InlineData("W1A4")]
    public void EveryPackedLayerComputesWhatTheFloatLayerComputesOnTheSameInput(string precision)
    {
        // The whole-network comparison above holds for its inputs only: where a pre-activation lies within float
        // rounding of a quantization step, the exact packed sum and oneDNN's float sum can round it to different levels
        // and the difference grows through the later layers. Layer by layer, on the float path's own inputs, nothing
        // cascades, so this comparison is robust to any input.
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 11);
        network.ActivePrecision = Precision.Parse(precision);
        network.Context.PackedBatchBitsLimit = int.MaxValue;
        var layers = network.modules().OfType<QuantizedConv2d>().Where(c => c.QuantizesWeights && c.QuantizesInput).ToList();
        Assert.Equal(PackedLayersOfResNet20, layers.Count);
        var inputs = new Dictionary<QuantizedConv2d, Tensor>();
        var hooks = layers.Select(layer => layer.register_forward_pre_hook((_, x) =>
        {
            inputs[layer] = x.detach().clone().MoveToOuterDisposeScope();
            return x;
        })).ToList();
        Logits(network, RealImages(40, 6), packed: false);
        foreach (var hook in hooks) hook.remove();

        using var noGrad = no_grad();
        foreach (var layer in layers)
        {
            network.UsePackedKernels = true;
            long before = network.Context.PackedConvolutions;
            var packed = layer.forward(inputs[layer]).data<float>().ToArray();
            Assert.Equal(before + 1, network.Context.PackedConvolutions);
            network.UsePackedKernels = false;
            var simulated = layer.forward(inputs[layer]).data<float>().ToArray();
            Assert.InRange(RelativeDifference(packed, simulated), 0, Tolerance);
        }
    }

    [Theory]
    [InlineData("W1A32")]
    [InlineData("W32A32")]
    public void SwitchesWithoutBinaryWeightsAndLowBitActivationsStayOnTheFloatPath(string precision)
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 13, width: 0.5);
        network.ActivePrecision = Precision.Parse(precision);
        Logits(network, RealImages(0, 2), packed: true);
        Assert.Equal(0, network.Context.PackedConvolutions);
    }

    [Fact]
    public void TrainingModeAndForwardsThatNeedGradientsStayOnTheFloatPath()
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 14, width: 0.5);
        network.ActivePrecision = new Precision(1, 1);
        var images = RealImages(0, 2);

        network.train();
        using (no_grad()) network.forward(images);
        network.forward(images).sum().backward();
        Assert.Equal(0, network.Context.PackedConvolutions);

        network.eval();
        network.forward(images); // gradients enabled and the weights require them
        Assert.Equal(0, network.Context.PackedConvolutions);
        using (no_grad()) network.forward(images);
        Assert.Equal(PackedLayersOfResNet20, network.Context.PackedConvolutions);
    }

    [Theory]
    [InlineData("W1A1", 8, true)]
    [InlineData("W1A1", 9, false)]
    [InlineData("W1A2", 4, true)]
    [InlineData("W1A2", 5, false)]
    [InlineData("W1A4", 2, true)]
    [InlineData("W1A4", 3, false)]
    public void ByDefaultOnlyBatchesWithBatchTimesBitsUpToEightRunPacked(string precision, int batch, bool packed)
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 17, width: 0.5);
        network.ActivePrecision = Precision.Parse(precision);
        Logits(network, RealImages(0, batch), packed: true);
        Assert.Equal(packed ? PackedLayersOfResNet20 : 0, network.Context.PackedConvolutions);
    }

    [Fact]
    public void PackedKernelsCanBeTurnedOffPerNetwork()
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 15, width: 0.5);
        network.ActivePrecision = new Precision(1, 2);
        network.UsePackedKernels = false;
        using (no_grad()) network.forward(RealImages(0, 1));
        Assert.Equal(0, network.Context.PackedConvolutions);
    }

    [Fact]
    public void ConcurrentForwardPassesGiveTheSequentialResults()
    {
        using var scope = NewDisposeScope();
        using var network = Calibrated(seed: 16, width: 0.5);
        network.ActivePrecision = new Precision(1, 2);
        var batches = Enumerable.Range(0, 8).Select(i => RealImages(i * 3, 1 + i % 3)).ToArray();
        var sequential = batches.Select(b => Logits(network, b, packed: true)).ToArray();

        var concurrent = new float[batches.Length][];
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var threadScope = NewDisposeScope();
            using var noGrad = no_grad();
            using var logits = network.forward(batches[i]);
            concurrent[i] = logits.data<float>().ToArray();
        });
        for (int i = 0; i < batches.Length; i++) Assert.Equal(sequential[i], concurrent[i]);
    }
}
