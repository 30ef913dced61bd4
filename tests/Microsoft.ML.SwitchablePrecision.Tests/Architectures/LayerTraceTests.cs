using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class LayerTraceTests
{
    public static TheoryData<int> HandWalkCases => new(Enumerable.Range(0, HandWalkLayerCosts.Cases.Length));

    [Theory]
    [MemberData(nameof(HandWalkCases))]
    public void TracedCostsEqualTheFormerHandWrittenWalkLayerForLayer(int index)
    {
        var (options, expected) = HandWalkLayerCosts.Cases[index];
        using var network = NetworkFactory.Create(options, seed: 1);
        Assert.Equal(expected, network.DescribeLayers());
    }

    public static TheoryData<ArchitectureKind> RegisteredKinds => new(ArchitectureRegistry.All.Select(a => a.Kind));

    [Theory]
    [MemberData(nameof(RegisteredKinds))]
    public void EveryWeightLayerOfTheModuleTreeIsReportedOnce(ArchitectureKind kind)
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Architecture = kind, WidthMultiplier = 0.25 });
        var weightLayers = network.named_modules().Where(m => m.module is QuantizedConv2d or QuantizedLinear).Select(m => m.name);
        var reported = network.DescribeLayers().Select(l => l.Name).ToArray();
        Assert.Equal(reported.Length, reported.Distinct().Count());
        Assert.Equal(weightLayers.Order(), reported.Order());
    }

    [Fact]
    public void TracingLeavesModeSwitchKernelsAndStatisticsAsTheyWere()
    {
        var switches = new[] { new Precision(1, 1), new Precision(1, 2), Precision.FullPrecision };
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = switches, WidthMultiplier = 0.25, Quantizer = QuantizerKind.Lsq }, seed: 2);
        network.train();
        network.ActivePrecision = switches[1];
        var before = network.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        var plans = network.Plans;

        network.DescribeLayers();

        Assert.True(network.training);
        Assert.All(network.modules(), m => Assert.True(m.training));
        Assert.Equal(switches[1], network.ActivePrecision);
        Assert.True(network.UsePackedKernels);
        Assert.Same(plans, network.Plans);
        Assert.Equal(0, network.Context.PackedConvolutions);
        // No running statistic, batch counter or LSQ initialisation flag moved.
        Assert.All(network.state_dict(), e => Assert.True(e.Value.equal(before[e.Key]).all().item<bool>(), e.Key));
        foreach (var tensor in before.Values) tensor.Dispose();
    }

    [Fact]
    public void ALayerOutsideTheUsualBlocksIsReportedWhereTheForwardCallsIt()
    {
        using var network = new NetworkWithARefiner(new NetworkOptions { Switches = [new Precision(1, 1)] }, useRefiner: true);
        Assert.Equal(
        [
            new LayerCost("stem", "Conv2d", 8 * 9, 28 * 28 * 8 * 9, true, false),
            new LayerCost("refiner.mix", "Conv2d", 8 * 8, 14 * 14 * 8 * 8, true, true),
            new LayerCost("classifier", "Linear", 8 * 10, 8 * 10, false, false),
        ], network.DescribeLayers());
    }

    [Fact]
    public void AWeightLayerTheForwardNeverCallsIsAnError()
    {
        using var network = new NetworkWithARefiner(new NetworkOptions { Switches = [new Precision(1, 1)] }, useRefiner: false);
        var error = Assert.Throws<InvalidOperationException>(() => network.DescribeLayers());
        Assert.Equal("The forward pass of NetworkWithARefiner never calls refiner.mix: every weight layer registered in a network must be used.", error.Message);
    }

    /// <summary>A stem, a refiner block holding a strided 1x1 convolution, and a classifier.</summary>
    private sealed class NetworkWithARefiner : SwitchableNetwork
    {
        private readonly QuantizedConv2d _stem;
        private readonly Refiner _refiner;
        private readonly QuantizedLinear _classifier;
        private readonly bool _useRefiner;

        public NetworkWithARefiner(NetworkOptions options, bool useRefiner) : base("refined", options)
        {
            _useRefiner = useRefiner;
            _stem = new QuantizedConv2d("stem", Context, options.Quantizer, options.InputChannels, 8, 3, 1, 1, quantizeInput: false);
            _refiner = new Refiner(Context, options.Quantizer);
            _classifier = new QuantizedLinear("classifier", Context, options.Quantizer, 8, options.Classes, false, false);
            register_module("stem", _stem);
            register_module("refiner", _refiner);
            register_module("classifier", _classifier);
        }

        public override Tensor forward(Tensor images)
        {
            using var scope = NewDisposeScope();
            var x = _stem.call(NormalizeInput(images)).relu_();
            x = _useRefiner ? _refiner.call(x) : nn.functional.avg_pool2d(x, 2);
            return _classifier.call(x.mean([2, 3])).MoveToOuterDisposeScope();
        }
    }

    private sealed class Refiner : ExplicitlyRegisteredModule
    {
        private readonly QuantizedConv2d _mix;

        public Refiner(SwitchContext context, QuantizerKind quantizer) : base("refiner")
        {
            _mix = new QuantizedConv2d("mix", context, quantizer, 8, 8, 1, stride: 2);
            register_module("mix", _mix);
        }

        public override Tensor forward(Tensor input) => _mix.call(input.clamp(0, 1));
    }
}
