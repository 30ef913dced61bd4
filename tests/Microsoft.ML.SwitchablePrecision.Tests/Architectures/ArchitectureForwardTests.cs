using Microsoft.ML.SwitchablePrecision.Architectures;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class ArchitectureForwardTests
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 4), Precision.FullPrecision];

    [Theory]
    [InlineData(ArchitectureKind.ResNet20, 1, 28, 1.0)]
    [InlineData(ArchitectureKind.ResNet20, 3, 32, 1.0)]
    [InlineData(ArchitectureKind.ResNet18, 1, 28, 0.25)]
    [InlineData(ArchitectureKind.ResNet18, 3, 32, 0.25)]
    [InlineData(ArchitectureKind.MobileNetV2, 1, 28, 0.25)]
    [InlineData(ArchitectureKind.MobileNetV2, 3, 32, 0.25)]
    [InlineData(ArchitectureKind.MobileNetV2, 3, 8, 0.25)]
    public void EveryArchitectureMapsImagesToLogitsAtEverySwitch(ArchitectureKind kind, int channels, int size, double width)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        using var network = NetworkFactory.Create(new NetworkOptions
        {
            Architecture = kind, InputChannels = channels, Height = size, Width = size, Classes = 7,
            Switches = Switches, WidthMultiplier = width, Quantizer = QuantizerKind.Pact,
        }, seed: 1);
        network.eval();
        var images = rand(2, channels, size, size, generator: generator);
        foreach (var precision in Switches)
        {
            network.ActivePrecision = precision;
            var logits = network.forward(images);
            Assert.Equal(new long[] { 2, 7 }, logits.shape);
            Assert.True(logits.isfinite().all().item<bool>(), $"{kind} at {precision} produced non-finite logits");
        }
        Assert.All(network.DescribeLayers(), layer => Assert.True(layer.MacsPerImage > 0, layer.Name));
    }

    [Theory]
    [InlineData(QuantizerKind.DoReFa)]
    [InlineData(QuantizerKind.Pact)]
    [InlineData(QuantizerKind.Lsq)]
    public void SwitchingChangesTheOutputAndSwitchingBackRestoresIt(QuantizerKind quantizer)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = Switches, Quantizer = quantizer, InputMean = [0.5f], InputStd = [0.25f] }, seed: 2);
        network.eval();
        var images = rand(4, 1, 28, 28, generator: generator);
        network.ActivePrecision = Precision.FullPrecision;
        var full = network.forward(images);
        network.ActivePrecision = new Precision(1, 1);
        var binary = network.forward(images);
        Assert.True(full.sub(binary).abs().max().item<float>() > 1e-3f);
        network.ActivePrecision = Precision.FullPrecision;
        Assert.True(full.equal(network.forward(images)).all().item<bool>());
    }

    [Fact]
    public void SettingTheActivePrecisionAllocatesNothingAndCopiesNoWeights()
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = Switches });
        var weight = network.parameters().First();
        var before = weight.data<float>().ToArray();
        network.ActivePrecision = Switches[0];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) network.ActivePrecision = Switches[i % Switches.Length];
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        Assert.Equal(before, weight.data<float>().ToArray());
    }

    [Fact]
    public void WrongInputShapeNamesTheExpectedShape()
    {
        using var network = NetworkFactory.Create(new NetworkOptions());
        using var images = rand(2, 3, 28, 28);
        var error = Assert.Throws<ArgumentException>(() => network.forward(images));
        Assert.Contains("Input images have shape [2, 3, 28, 28]: expected [batch, 1, height, width].", error.Message);
    }

    [Fact]
    public void UnknownSwitchIsRejectedAndListsTheValidOnes()
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = Switches });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => network.ActivePrecision = new Precision(2, 2));
        Assert.Contains("W1A1, W1A4, W32A32", error.Message);
    }
}
