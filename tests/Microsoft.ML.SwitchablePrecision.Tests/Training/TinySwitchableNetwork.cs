using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

/// <summary>
/// A test-only two-convolution network with one BatchNorm per switch. Switches differ for real: the second
/// convolution's weights take the switch's weight bits and its input the switch's activation bits (uniform
/// quantization with a straight-through gradient), so the trainer can be tested before the real networks exist.
/// </summary>
internal sealed class TinySwitchableNetwork : SwitchableNetwork
{
    private readonly Conv2d _conv1;
    private readonly ModuleList<BatchNorm2d> _norm1;
    private readonly Conv2d _conv2;
    private readonly ModuleList<BatchNorm2d> _norm2;
    private readonly Linear _classifier;

    public TinySwitchableNetwork(params Precision[] switches) : this(OptionsFor(switches)) { }

    public TinySwitchableNetwork(NetworkOptions options) : base("tiny", options)
    {
        _conv1 = nn.Conv2d(options.InputChannels, 8, 3, stride: 2, padding: 1, bias: false);
        _norm1 = new ModuleList<BatchNorm2d>(options.Switches.Select(_ => nn.BatchNorm2d(8)).ToArray());
        _conv2 = nn.Conv2d(8, 16, 3, stride: 2, padding: 1, bias: false);
        _norm2 = new ModuleList<BatchNorm2d>(options.Switches.Select(_ => nn.BatchNorm2d(16)).ToArray());
        _classifier = nn.Linear(16 * 7 * 7, options.Classes);
        // TorchSharp's layers drew from the global generator; draw again (same distribution) from InitialWeights
        // so that a seeded scope makes this network independent of tests running on other threads.
        foreach (var (tensor, fanIn) in new[] { (_conv1.weight!, options.InputChannels * 9L), (_conv2.weight!, 8 * 9L),
                     (_classifier.weight!, 16 * 7 * 7L), (_classifier.bias!, 16 * 7 * 7L) })
            InitialWeights.Uniform(tensor, 1 / Math.Sqrt(fanIn));
        // Networks register explicitly (ExplicitlyRegisteredModule); the names are the field names the trainer tests use.
        register_module("_conv1", _conv1);
        register_module("_norm1", _norm1);
        register_module("_conv2", _conv2);
        register_module("_norm2", _norm2);
        register_module("_classifier", _classifier);
    }

    public static NetworkOptions OptionsFor(params Precision[] switches) => new()
    {
        Switches = switches,
        InputMean = [72.9f],
        InputStd = [90.0f],
    };

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        int active = Context.ActiveIndex;
        var precision = Context.Switches[active];
        var x = _norm1[active].forward(_conv1.forward(NormalizeInput(images))).relu();
        x = QuantizeActivations(x, precision.ActivationBits);
        var weight = QuantizeWeights(_conv2.weight!, precision.WeightBits);
        x = nn.functional.conv2d(x, weight, strides: [2, 2], padding: [1, 1]);
        x = _norm2[active].forward(x).relu().flatten(1);
        return _classifier.forward(x).MoveToOuterDisposeScope();
    }

    public override IReadOnlyList<LayerCost> DescribeLayers() =>
    [
        new("conv1", "Conv2d", 8 * 9 * Options.InputChannels, 8 * 9 * Options.InputChannels * 14 * 14, false, false),
        new("conv2", "Conv2d", 16 * 8 * 9, 16 * 8 * 9 * 7 * 7, true, true),
        new("classifier", "Linear", 16 * 49 * Options.Classes, 16 * 49 * Options.Classes, false, false),
    ];

    // Straight-through: the forward value is quantized, the gradient passes unchanged.
    private static Tensor StraightThrough(Tensor x, Tensor quantized) => x.add(quantized.sub(x).detach());

    private static Tensor QuantizeActivations(Tensor x, int bits)
    {
        if (bits == Precision.FullPrecisionBits) return x;
        double levels = (1 << bits) - 1;
        var clipped = x.clamp(0, 1);
        return StraightThrough(clipped, clipped.mul(levels).round().div(levels));
    }

    private static Tensor QuantizeWeights(Tensor w, int bits)
    {
        if (bits == Precision.FullPrecisionBits) return w;
        double levels = (1 << bits) - 1;
        var scale = w.abs().max().detach();
        var unit = w.div(scale).add(1).div(2);
        var quantized = unit.mul(levels).round().div(levels).mul(2).sub(1).mul(scale);
        return StraightThrough(w, quantized);
    }
}
