namespace Microsoft.ML.SwitchablePrecision.Architectures.Layouts;

/// <summary>One basic block: two 3x3 convolutions and, where the shape changes, the 1x1 projection shortcut.</summary>
internal sealed record BasicBlockLayout(ConvolutionLayout Conv1, ConvolutionLayout Conv2, ConvolutionLayout? Shortcut);

/// <summary>
/// The layers <c>ResNet</c>'s constructor builds from a set of options, in forward order: a 3x3 stride-1 stem
/// (quantized only with <see cref="NetworkOptions.QuantizeFirstAndLastLayers"/>), stages <c>layer1..</c> of basic
/// blocks whose first block halves the resolution after the first stage, and the classifier.
/// </summary>
internal sealed record ResNetLayout(ConvolutionLayout Stem, IReadOnlyList<BasicBlockLayout> Blocks, LinearLayout Classifier)
{
    /// <summary>ResNet-20's stage widths (3 blocks each).</summary>
    public static readonly int[] ResNet20Widths = [16, 32, 64];

    /// <summary>ResNet-18's stage widths (2 blocks each).</summary>
    public static readonly int[] ResNet18Widths = [64, 128, 256, 512];

    /// <summary>The layout of <paramref name="options"/> (ResNet-20 or ResNet-18).</summary>
    public static ResNetLayout Of(NetworkOptions options)
    {
        var (widths, blocksPerStage) = options.Architecture switch
        {
            ArchitectureKind.ResNet20 => (ResNet20Widths, 3),
            ArchitectureKind.ResNet18 => (ResNet18Widths, 2),
            var other => throw new ArgumentException($"Architecture {other} is not a ResNet; expected {ArchitectureKind.ResNet20} or {ArchitectureKind.ResNet18}.", nameof(options)),
        };
        bool edges = options.QuantizeFirstAndLastLayers;
        int channels = (int)ChannelWidths.Scale(widths[0], options.WidthMultiplier);
        var stem = new ConvolutionLayout("stem", "stem_bn", options.InputChannels, channels, 3, 1, 1, 1, edges, QuantizesInput: false);
        var blocks = new List<BasicBlockLayout>();
        for (int s = 0; s < widths.Length; s++)
        {
            int outChannels = (int)ChannelWidths.Scale(widths[s], options.WidthMultiplier);
            for (int b = 0; b < blocksPerStage; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                string path = $"layer{s + 1}.{b}";
                var conv1 = new ConvolutionLayout($"{path}.conv1", $"{path}.bn1", channels, outChannels, 3, stride, 1, 1, true, true);
                var conv2 = new ConvolutionLayout($"{path}.conv2", $"{path}.bn2", outChannels, outChannels, 3, 1, 1, 1, true, true);
                var shortcut = stride != 1 || channels != outChannels
                    ? new ConvolutionLayout($"{path}.shortcut", $"{path}.shortcut_bn", channels, outChannels, 1, stride, 0, 1, false, false)
                    : null;
                blocks.Add(new BasicBlockLayout(conv1, conv2, shortcut));
                channels = outChannels;
            }
        }
        return new ResNetLayout(stem, blocks, new LinearLayout("classifier", channels, options.Classes, edges, edges));
    }
}
