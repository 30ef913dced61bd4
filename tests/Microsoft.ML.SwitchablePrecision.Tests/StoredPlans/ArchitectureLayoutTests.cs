using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Modules;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>The torch-free layouts the plan walks go over describe exactly the modules the architectures build.</summary>
public class ArchitectureLayoutTests
{
    [Theory]
    [InlineData(ArchitectureKind.ResNet20, 1.0, false, 1, 28)]
    [InlineData(ArchitectureKind.ResNet20, 0.5, true, 3, 20)]
    [InlineData(ArchitectureKind.ResNet18, 0.125, false, 1, 28)]
    [InlineData(ArchitectureKind.MobileNetV2, 0.25, false, 1, 28)]
    [InlineData(ArchitectureKind.MobileNetV2, 0.35, true, 3, 20)]
    [InlineData(ArchitectureKind.MobileNetV2, 1.4, false, 1, 28)]
    public void EveryConvolutionNormAndClassifierOfTheNetworkIsInTheLayoutWithItsGeometryAndQuantizers(
        ArchitectureKind architecture, double width, bool edges, int channels, int size)
    {
        var options = new NetworkOptions
        {
            Architecture = architecture, WidthMultiplier = width, QuantizeFirstAndLastLayers = edges, InputChannels = channels,
            Height = size, Width = size, Classes = 7, Switches = [new(1, 2), Precision.FullPrecision], Quantizer = QuantizerKind.Pact,
        };
        using var network = NetworkFactory.Create(options, seed: 1);
        var (convolutions, classifier) = Layers(options);
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        var built = modules.Where(m => m.Value is QuantizedConv2d).Select(m => m.Key).ToList();
        Assert.Equal(built.Order(), convolutions.Select(c => c.Path).Order());
        foreach (var layer in convolutions)
        {
            var conv = (QuantizedConv2d)modules[layer.Path];
            Assert.Equal((layer.InChannels, layer.OutChannels, layer.Kernel, layer.Stride, layer.Padding, layer.Groups, layer.QuantizesWeights, layer.QuantizesInput),
                ((int)conv.InChannels, (int)conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, conv.Groups, conv.QuantizesWeights, conv.QuantizesInput));
            Assert.Equal(layer.WeightShape, conv.Weight.shape);
            Assert.Equal(layer.OutChannels, ((SwitchableBatchNorm2d)modules[layer.NormPath]).Channels);
        }
        var linear = (QuantizedLinear)modules[classifier.Path];
        Assert.Equal(classifier.WeightShape, linear.Weight.shape);
        Assert.Equal((classifier.QuantizesWeights, classifier.QuantizesInput), (linear.WeightQuantizer is not null, linear.InputQuantizer is not null));
        Assert.Single(modules.Values.OfType<QuantizedLinear>());
        if (network is MobileNetV2 mobile)
            Assert.Equal(mobile.Blocks.Select(b => b.HasResidual), MobileNetV2Layout.Of(options).Blocks.Select(b => b.HasResidual));
    }

    private static (List<ConvolutionLayout>, LinearLayout) Layers(NetworkOptions options)
    {
        if (options.Architecture == ArchitectureKind.MobileNetV2)
        {
            var mobile = MobileNetV2Layout.Of(options);
            var layers = new List<ConvolutionLayout> { mobile.Stem, mobile.Head };
            foreach (var block in mobile.Blocks) layers.AddRange(new[] { block.Expand, block.Depthwise, block.Project }.OfType<ConvolutionLayout>());
            return (layers, mobile.Classifier);
        }
        var resnet = ResNetLayout.Of(options);
        var convolutions = new List<ConvolutionLayout> { resnet.Stem };
        foreach (var block in resnet.Blocks) convolutions.AddRange(new[] { block.Conv1, block.Conv2, block.Shortcut }.OfType<ConvolutionLayout>());
        return (convolutions, resnet.Classifier);
    }
}
