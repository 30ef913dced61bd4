using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class NetworkFactoryTests
{
    private static readonly NetworkOptions Valid = new();

    public static TheoryData<NetworkOptions, string> InvalidOptions => new()
    {
        { Valid with { InputChannels = 2 }, "InputChannels is 2: expected 1 (grey) or 3 (colour)." },
        { Valid with { Height = 7 }, "Image size 7x28 is too small: Height and Width must be at least 8." },
        { Valid with { Width = 4 }, "Image size 28x4 is too small" },
        { Valid with { Classes = 1 }, "Classes is 1: expected at least 2." },
        { Valid with { Switches = [] }, "Switches is empty" },
        { Valid with { Switches = [new Precision(1, 1), new Precision(1, 1)] }, "Switches lists W1A1 more than once" },
        { Valid with { WidthMultiplier = 0 }, "WidthMultiplier is 0: expected a finite value greater than 0." },
        { Valid with { WidthMultiplier = double.NaN }, "WidthMultiplier is NaN" },
        { Valid with { InputMean = [0.5f, 0.5f] }, "InputMean has 2 values: expected none or one per input channel (1)." },
        { Valid with { InputStd = [0f] }, "InputStd[0] is 0: expected a finite positive value." },
        { Valid with { Architecture = (ArchitectureKind)7 }, "Architecture 7 is not defined" },
        { Valid with { Quantizer = QuantizerKind.Pact, ClipFullPrecisionActivations = true },
            "ClipFullPrecisionActivations clips to DoReFa's range [0, 1]: expected Quantizer DoReFa, got Pact." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsAreRejectedWithAMessageNamingTheOption(NetworkOptions options, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkFactory.Create(options));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void NullOptionsAreRejected() => Assert.Throws<ArgumentNullException>(() => NetworkFactory.Create(null!));

    [Fact]
    public void ResNet20ParameterCountMatchesItsShape()
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = [new Precision(1, 1), Precision.FullPrecision] });
        // Convolution weights: stem 1*16*9 = 144; stage 1: 6 * 16*16*9 = 13,824;
        // stage 2: 16*32*9 + 5 * 32*32*9 + shortcut 16*32 = 4,608 + 46,080 + 512 = 51,200;
        // stage 3: 32*64*9 + 5 * 64*64*9 + shortcut 32*64 = 18,432 + 184,320 + 2,048 = 204,800;
        // classifier 64*10 + 10 = 650. Total 270,618.
        // BatchNorm weight+bias per switch: 2 * (16 + 6*16 + 7*32 + 7*64) = 1,568; two switches: 3,136.
        Assert.Equal(270_618 + 3_136, network.ParameterCount);
    }

    [Theory]
    // The CIFAR ResNet-18 (3x3 stem, no max-pool) and torchvision's MobileNetV2, both with 10 classes and one
    // BatchNorm set, have these published parameter counts.
    [InlineData(ArchitectureKind.ResNet18, 11_173_962)]
    [InlineData(ArchitectureKind.MobileNetV2, 2_236_682)]
    public void FullWidthNetworksMatchTheirReferenceParameterCounts(ArchitectureKind kind, long expected)
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Architecture = kind, InputChannels = 3, Height = 32, Width = 32 });
        Assert.Equal(expected, network.ParameterCount);
    }

    [Fact]
    public void LsqAddsOneStepPerQuantizedSwitchAndQuantizedTensor()
    {
        var switches = new[] { new Precision(1, 1), new Precision(2, 2), Precision.FullPrecision };
        using var dorefa = NetworkFactory.Create(new NetworkOptions { Switches = switches });
        using var lsq = NetworkFactory.Create(new NetworkOptions { Switches = switches, Quantizer = QuantizerKind.Lsq });
        // 18 quantized convolutions, each with a weight and an input step, for the 2 quantized switches.
        Assert.Equal(18 * 2 * 2, lsq.ParameterCount - dorefa.ParameterCount);
    }

    [Fact]
    public void ResNet20DescribesEveryWeightLayerWithItsMacs()
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = [new Precision(1, 2)] });
        var layers = network.DescribeLayers();
        Assert.Equal(1 + 18 + 2 + 1, layers.Count);
        Assert.Equal(new LayerCost("stem", "Conv2d", 144, 28 * 28 * 144, false, false), layers[0]);
        Assert.Equal(new LayerCost("layer1.0.conv1", "Conv2d", 2304, 28 * 28 * 2304, true, true), layers[1]);
        // stage 2 starts at stride 2: 28 -> 14
        Assert.Equal(new LayerCost("layer2.0.conv1", "Conv2d", 4608, 14 * 14 * 4608, true, true), layers[7]);
        Assert.Equal(new LayerCost("layer2.0.shortcut", "Conv2d", 512, 14 * 14 * 512, false, false), layers[9]);
        // stage 3: 14 -> 7
        Assert.Equal(new LayerCost("layer3.2.conv2", "Conv2d", 36864, 7 * 7 * 36864, true, true), layers[^2]);
        Assert.Equal(new LayerCost("classifier", "Linear", 640, 640, false, false), layers[^1]);
        Assert.Equal(270_608, layers.Sum(l => l.Weights));
        // 784*(144 + 6*2304) + 196*(4608 + 5*9216 + 512) + 49*(18432 + 5*36864 + 2048) + 640
        Assert.Equal(784L * (144 + 6 * 2304) + 196L * (4608 + 5 * 9216 + 512) + 49L * (18432 + 5 * 36864 + 2048) + 640,
            layers.Sum(l => l.MacsPerImage));
    }

    [Fact]
    public void QuantizingFirstAndLastLayersKeepsTheImageInputFullPrecision()
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = [new Precision(1, 2)], QuantizeFirstAndLastLayers = true });
        var layers = network.DescribeLayers();
        Assert.True(layers[0].QuantizedWeights);
        Assert.False(layers[0].QuantizedInput);
        Assert.True(layers[^1].QuantizedWeights);
        Assert.True(layers[^1].QuantizedInput);
    }
}
