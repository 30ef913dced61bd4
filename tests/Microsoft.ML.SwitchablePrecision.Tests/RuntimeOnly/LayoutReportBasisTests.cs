using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Quantization;
using Microsoft.ML.SwitchablePrecision.Reporting;
using Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

namespace Microsoft.ML.SwitchablePrecision.Tests.RuntimeOnly;

/// <summary>
/// The precision report's basis costed from the architecture's layout and the stored state (the runtime alone) equals
/// the one the TorchSharp network traces from a forward pass, layer by layer, and its parameter count.
/// </summary>
public class LayoutReportBasisTests
{
    public static TheoryData<ArchitectureKind, QuantizerKind, double, int, int, int, bool> Networks => new()
    {
        { ArchitectureKind.ResNet20, QuantizerKind.DoReFa, 0.5, 1, 28, 28, false },
        { ArchitectureKind.ResNet20, QuantizerKind.Lsq, 0.25, 3, 32, 30, true },
        { ArchitectureKind.ResNet18, QuantizerKind.Pact, 0.125, 1, 29, 27, false },
        { ArchitectureKind.MobileNetV2, QuantizerKind.Lsq, 0.25, 1, 28, 28, true },
        { ArchitectureKind.MobileNetV2, QuantizerKind.DoReFa, 0.35, 3, 33, 31, false },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void TheLayoutsBasisEqualsTheTracedOne(ArchitectureKind architecture, QuantizerKind quantizer, double width, int channels, int height,
        int imageWidth, bool edges)
    {
        var options = new NetworkOptions
        {
            Architecture = architecture, Quantizer = quantizer, WidthMultiplier = width, InputChannels = channels, Height = height,
            Width = imageWidth, Classes = 7, QuantizeFirstAndLastLayers = edges,
            Switches = [Precision.Parse("W1A1"), Precision.Parse("W2A4"), Precision.Parse("W32A32")],
        };
        using var network = NetworkFactory.Create(options, seed: 3);
        var expected = new ReportBasis(network.DescribeLayers(), network.ParameterCount);
        var actual = LayoutReportBasis.Of(options, StoredStates.Table(network));
        Assert.Equal(expected.Layers, actual.Layers);
        Assert.Equal(expected.Parameters, actual.Parameters);
    }
}
