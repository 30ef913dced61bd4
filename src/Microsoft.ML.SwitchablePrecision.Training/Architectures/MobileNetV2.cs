using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// MobileNetV2 for small images: a 3x3 stride-1 stem, the published inverted-residual stages with the first two
/// strided stages at stride 1 (total stride 8 instead of 32), a 1x1 head convolution, global average pooling and a
/// linear classifier. Channels are scaled by the width multiplier and rounded to a multiple of 8.
/// </summary>
public sealed class MobileNetV2 : SwitchableNetwork
{
    private static (int Expansion, int Channels, int Blocks, int Stride)[] Stages => MobileNetV2Layout.Stages;

    private const int StemChannels = MobileNetV2Layout.StemChannels;

    private readonly QuantizedConv2d _stem;
    private readonly SwitchableBatchNorm2d _stemBn;
    private readonly ModuleList<InvertedResidual> _blocks;
    private readonly QuantizedConv2d _head;
    private readonly SwitchableBatchNorm2d _headBn;
    private readonly QuantizedLinear _classifier;

    /// <summary>MobileNetV2 with its published stage table.</summary>
    internal static readonly ArchitectureDefinition Definition = new(
        ArchitectureKind.MobileNetV2, Stages.Select(s => s.Channels).ToArray(), Stages.Select(s => s.Blocks).ToArray(),
        options => new MobileNetV2(options), MinimumWeightBytes, typeof(MobileNetV2));

    // The classifier plus the head convolution.
    private static long MinimumWeightBytes(NetworkOptions options)
    {
        long classifierInput = HeadWidth(options.WidthMultiplier);
        long largest = LastStageWidth(options.WidthMultiplier) * classifierInput;
        return sizeof(float) * (largest + classifierInput * options.Classes);
    }

    internal MobileNetV2(NetworkOptions options) : base("mobilenetv2", options)
    {
        var quantizer = options.Quantizer;
        bool edges = options.QuantizeFirstAndLastLayers;
        long channels = Divisible(StemChannels * options.WidthMultiplier);
        _stem = new QuantizedConv2d("stem", Context, quantizer, options.InputChannels, channels, 3, 1, 1,
            quantizeWeights: edges, quantizeInput: false);
        _stemBn = new SwitchableBatchNorm2d("stem_bn", Context, channels);
        register_module("stem", _stem);
        register_module("stem_bn", _stemBn);

        var blocks = new List<InvertedResidual>();
        foreach (var (expansion, stageChannels, count, stride) in Stages)
        {
            long outChannels = Divisible(stageChannels * options.WidthMultiplier);
            for (int b = 0; b < count; b++)
            {
                // Only the very first block reads the stem's ReLU6 output; later ones read a linear bottleneck.
                blocks.Add(new InvertedResidual(blocks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Context, quantizer,
                    channels, outChannels, b == 0 ? stride : 1, expansion, inputIsRectified: blocks.Count == 0));
                channels = outChannels;
            }
        }
        _blocks = new ModuleList<InvertedResidual>(blocks.ToArray());
        register_module("blocks", _blocks);

        long head = HeadWidth(options.WidthMultiplier);
        _head = new QuantizedConv2d("head", Context, quantizer, channels, head, 1, quantizeInput: false);
        _headBn = new SwitchableBatchNorm2d("head_bn", Context, head);
        _classifier = new QuantizedLinear("classifier", Context, quantizer, head, options.Classes, edges, edges);
        register_module("head", _head);
        register_module("head_bn", _headBn);
        register_module("classifier", _classifier);
    }

    internal QuantizedConv2d Stem => _stem;

    internal SwitchableBatchNorm2d StemNorm => _stemBn;

    /// <summary>The inverted residual blocks in forward order.</summary>
    internal IEnumerable<InvertedResidual> Blocks => _blocks;

    internal QuantizedConv2d Head => _head;

    internal SwitchableBatchNorm2d HeadNorm => _headBn;

    internal QuantizedLinear Classifier => _classifier;

    /// <summary>Computes the logits of a batch <c>[N, C, H, W]</c> at the active switch.</summary>
    public override Tensor forward(Tensor images)
    {
        CheckInput(images);
        using var scope = NewDisposeScope();
        var x = nn.functional.relu6(_stemBn.call(_stem.call(NormalizeInput(images))), inplace: true);
        foreach (var block in _blocks) x = block.call(x);
        x = nn.functional.relu6(_headBn.call(_head.call(x)), inplace: true);
        return _classifier.call(x.mean([2, 3])).MoveToOuterDisposeScope();
    }

    /// <summary>Output channels of the head convolution (the classifier's input).</summary>
    internal static long HeadWidth(double widthMultiplier) => MobileNetV2Layout.HeadWidth(widthMultiplier);

    /// <summary>Output channels of the last inverted-residual stage (the head convolution's input).</summary>
    internal static long LastStageWidth(double widthMultiplier) => MobileNetV2Layout.LastStageWidth(widthMultiplier);

    private static long Divisible(double channels) => MobileNetV2Layout.Divisible(channels);
}
