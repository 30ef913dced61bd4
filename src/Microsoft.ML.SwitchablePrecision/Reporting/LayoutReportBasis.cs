using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;

namespace Microsoft.ML.SwitchablePrecision.Reporting;

/// <summary>
/// The <see cref="ReportBasis"/> of a stored network without TorchSharp: the weight layers of its architecture's layout
/// in forward order, each costed at the spatial size its input has (what the TorchSharp side traces from one forward
/// pass, <c>LayerTrace</c>; LayoutReportBasisTests compares both), and the parameter count of the stored state (every
/// float tensor but the BatchNorm statistics and LSQ's initialisation flags, which are buffers).
/// </summary>
internal static class LayoutReportBasis
{
    private static readonly string[] BufferSuffixes = [".running_mean", ".running_var", ".step_initialized"];

    /// <summary>The basis of the network <paramref name="options"/> describes, stored as <paramref name="tensors"/>.</summary>
    /// <exception cref="NotSupportedException">The architecture has no layout.</exception>
    public static ReportBasis Of(NetworkOptions options, StoredTensorTable tensors)
    {
        var layers = new List<LayerCost>();
        var size = (Height: (long)options.Height, Width: (long)options.Width);
        switch (options.Architecture)
        {
            case ArchitectureKind.ResNet20 or ArchitectureKind.ResNet18:
                var resNet = ResNetLayout.Of(options);
                size = Add(layers, resNet.Stem, size);
                foreach (var block in resNet.Blocks)
                {
                    var input = size;
                    size = Add(layers, block.Conv2, Add(layers, block.Conv1, input));
                    if (block.Shortcut is { } shortcut) Add(layers, shortcut, input);
                }
                layers.Add(Cost(resNet.Classifier));
                break;
            case ArchitectureKind.MobileNetV2:
                var mobileNet = MobileNetV2Layout.Of(options);
                size = Add(layers, mobileNet.Stem, size);
                foreach (var block in mobileNet.Blocks)
                {
                    if (block.Expand is { } expand) size = Add(layers, expand, size);
                    size = Add(layers, block.Project, Add(layers, block.Depthwise, size));
                }
                Add(layers, mobileNet.Head, size);
                layers.Add(Cost(mobileNet.Classifier));
                break;
            default:
                throw new NotSupportedException($"Architecture {options.Architecture} has no layout to cost its layers from.");
        }
        long parameters = tensors.Tensors
            .Where(t => t.Type == StoredElementType.Float32 && !BufferSuffixes.Any(s => t.Name.EndsWith(s, StringComparison.Ordinal)))
            .Sum(t => t.Count);
        return new ReportBasis(layers, parameters);
    }

    // Adds the convolution's cost for an input of `input` pixels and returns its output size.
    private static (long Height, long Width) Add(List<LayerCost> layers, ConvolutionLayout layer, (long Height, long Width) input)
    {
        long Out(long length) => (length + 2 * layer.Padding - layer.Kernel) / layer.Stride + 1;
        var output = (Out(input.Height), Out(input.Width));
        long weights = (long)layer.OutChannels * (layer.InChannels / layer.Groups) * layer.Kernel * layer.Kernel;
        string kind = layer.Groups > 1 && layer.Groups == layer.InChannels ? "DepthwiseConv2d" : "Conv2d";
        layers.Add(new LayerCost(layer.Path, kind, weights, output.Item1 * output.Item2 * weights, layer.QuantizesWeights, layer.QuantizesInput));
        return output;
    }

    private static LayerCost Cost(LinearLayout layer)
    {
        long weights = (long)layer.OutFeatures * layer.InFeatures;
        return new LayerCost(layer.Path, "Linear", weights, weights, layer.QuantizesWeights, layer.QuantizesInput);
    }
}
