namespace Microsoft.ML.SwitchablePrecision.Architectures.Layouts;

/// <summary>One inverted residual block: the 1x1 expansion (null at factor 1), the 3x3 depthwise and the 1x1 projection.</summary>
internal sealed record InvertedResidualLayout(ConvolutionLayout? Expand, ConvolutionLayout Depthwise, ConvolutionLayout Project, bool HasResidual);

/// <summary>
/// The layers <c>MobileNetV2</c>'s constructor builds from a set of options, in forward order: the 3x3 stem,
/// the inverted residual blocks <c>blocks.{i}</c> of the published stage table (strides adapted to small images), the
/// 1x1 head and the classifier. Channels are scaled by the width multiplier and rounded to a multiple of 8.
/// </summary>
internal sealed record MobileNetV2Layout(ConvolutionLayout Stem, IReadOnlyList<InvertedResidualLayout> Blocks, ConvolutionLayout Head, LinearLayout Classifier)
{
    /// <summary>(expansion, channels, blocks, stride) of each stage, strides adapted to 28-32 px inputs.</summary>
    public static readonly (int Expansion, int Channels, int Blocks, int Stride)[] Stages =
    [
        (1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ];

    /// <summary>Output channels of the stem at width 1.</summary>
    public const int StemChannels = 32;

    /// <summary>Output channels of the head at width 1.</summary>
    public const int HeadChannels = 1280;

    /// <summary>The layout of <paramref name="options"/>.</summary>
    public static MobileNetV2Layout Of(NetworkOptions options)
    {
        bool edges = options.QuantizeFirstAndLastLayers;
        int channels = (int)Divisible(StemChannels * options.WidthMultiplier);
        var stem = new ConvolutionLayout("stem", "stem_bn", options.InputChannels, channels, 3, 1, 1, 1, edges, QuantizesInput: false);
        var blocks = new List<InvertedResidualLayout>();
        foreach (var (expansion, stageChannels, count, stageStride) in Stages)
        {
            int outChannels = (int)Divisible(stageChannels * options.WidthMultiplier);
            for (int b = 0; b < count; b++)
            {
                int stride = b == 0 ? stageStride : 1, hidden = channels * expansion;
                string path = $"blocks.{blocks.Count}";
                var expand = expansion == 1 ? null
                    : new ConvolutionLayout($"{path}.expand", $"{path}.expand_bn", channels, hidden, 1, 1, 0, 1, true, QuantizesInput: false);
                // Only the very first block reads the stem's ReLU6 output unexpanded; later ones read a linear bottleneck.
                var depthwise = new ConvolutionLayout($"{path}.depthwise", $"{path}.depthwise_bn", hidden, hidden, 3, stride, 1, hidden, true,
                    QuantizesInput: expansion != 1 || blocks.Count == 0);
                var project = new ConvolutionLayout($"{path}.project", $"{path}.project_bn", hidden, outChannels, 1, 1, 0, 1, true, true);
                blocks.Add(new InvertedResidualLayout(expand, depthwise, project, stride == 1 && channels == outChannels));
                channels = outChannels;
            }
        }
        int head = (int)HeadWidth(options.WidthMultiplier);
        return new MobileNetV2Layout(
            stem, blocks, new ConvolutionLayout("head", "head_bn", channels, head, 1, 1, 0, 1, true, QuantizesInput: false),
            new LinearLayout("classifier", head, options.Classes, edges, edges));
    }

    /// <summary>Output channels of the head convolution (the classifier's input).</summary>
    public static long HeadWidth(double widthMultiplier) => Divisible(HeadChannels * Math.Max(1.0, widthMultiplier));

    /// <summary>Output channels of the last inverted-residual stage (the head convolution's input).</summary>
    public static long LastStageWidth(double widthMultiplier) => Divisible(Stages[^1].Channels * widthMultiplier);

    /// <summary>Rounds to the nearest multiple of 8, never below 8 nor more than 10 % under the requested width.</summary>
    public static long Divisible(double channels)
    {
        long rounded = Math.Max(8, (long)(channels + 4) / 8 * 8);
        return rounded < 0.9 * channels ? rounded + 8 : rounded;
    }
}
