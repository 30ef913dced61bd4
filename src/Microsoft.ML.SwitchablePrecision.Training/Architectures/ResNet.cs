using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// A residual network of basic blocks for small images: a 3x3 stride-1 stem (no max-pool), stages of basic
/// blocks (the first block of every stage after the first halves the resolution), global average pooling and a
/// linear classifier. Built by <see cref="NetworkFactory"/> as ResNet-20 (16/32/64 x 3 blocks) or ResNet-18
/// (64/128/256/512 x 2 blocks).
/// </summary>
public sealed class ResNet : SwitchableNetwork
{
    private readonly QuantizedConv2d _stem;
    private readonly SwitchableBatchNorm2d _stemBn;
    private readonly ModuleList<BasicBlock>[] _stages;
    private readonly QuantizedLinear _classifier;

    /// <summary>ResNet-20: 16/32/64 channels, 3 basic blocks per stage.</summary>
    internal static readonly ArchitectureDefinition ResNet20 = Definition(ArchitectureKind.ResNet20, "resnet20", ResNetLayout.ResNet20Widths, 3);

    /// <summary>ResNet-18: 64/128/256/512 channels, 2 basic blocks per stage.</summary>
    internal static readonly ArchitectureDefinition ResNet18 = Definition(ArchitectureKind.ResNet18, "resnet18", ResNetLayout.ResNet18Widths, 2);

    private static ArchitectureDefinition Definition(ArchitectureKind kind, string name, int[] widths, int blocks) => new(
        kind, widths, Enumerable.Repeat(blocks, widths.Length).ToArray(),
        options => new ResNet(name, options, widths, blocks),
        options => MinimumWeightBytes(options, widths[^1], blocks), typeof(ResNet));

    // The classifier plus the last stage's 3x3 convolutions (2 per block, less the first block's conv1, which reads
    // the narrower previous stage).
    private static long MinimumWeightBytes(NetworkOptions options, int lastWidth, int blocks)
    {
        long classifierInput = NetworkFactory.Scale(lastWidth, options.WidthMultiplier);
        long largest = (2L * blocks - 1) * 9 * classifierInput * classifierInput;
        return sizeof(float) * (largest + classifierInput * options.Classes);
    }

    internal ResNet(string name, NetworkOptions options, IReadOnlyList<int> stageWidths, int blocksPerStage) : base(name, options)
    {
        var quantizer = options.Quantizer;
        bool edges = options.QuantizeFirstAndLastLayers;
        long width = NetworkFactory.Scale(stageWidths[0], options.WidthMultiplier);
        _stem = new QuantizedConv2d("stem", Context, quantizer, options.InputChannels, width, 3, 1, 1,
            quantizeWeights: edges, quantizeInput: false);
        _stemBn = new SwitchableBatchNorm2d("stem_bn", Context, width);
        register_module("stem", _stem);
        register_module("stem_bn", _stemBn);

        _stages = new ModuleList<BasicBlock>[stageWidths.Count];
        long channels = width;
        for (int s = 0; s < stageWidths.Count; s++)
        {
            long outChannels = NetworkFactory.Scale(stageWidths[s], options.WidthMultiplier);
            var blocks = new BasicBlock[blocksPerStage];
            for (int b = 0; b < blocksPerStage; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                blocks[b] = new BasicBlock(b.ToString(System.Globalization.CultureInfo.InvariantCulture), Context, quantizer, channels, outChannels, stride);
                channels = outChannels;
            }
            _stages[s] = new ModuleList<BasicBlock>(blocks);
            register_module(StageName(s), _stages[s]);
        }
        _classifier = new QuantizedLinear("classifier", Context, quantizer, channels, options.Classes, edges, edges);
        register_module("classifier", _classifier);
    }

    internal QuantizedConv2d Stem => _stem;

    internal SwitchableBatchNorm2d StemNorm => _stemBn;

    /// <summary>The basic blocks in forward order.</summary>
    internal IEnumerable<BasicBlock> Blocks => _stages.SelectMany(stage => stage);

    internal QuantizedLinear Classifier => _classifier;

    /// <summary>Computes the logits of a batch <c>[N, C, H, W]</c> at the active switch.</summary>
    public override Tensor forward(Tensor images)
    {
        CheckInput(images);
        using var scope = NewDisposeScope();
        var x = _stemBn.call(_stem.call(NormalizeInput(images))).relu_();
        foreach (var stage in _stages)
            foreach (var block in stage)
                x = block.call(x);
        return _classifier.call(x.mean([2, 3])).MoveToOuterDisposeScope();
    }

    private static string StageName(int stage) => $"layer{stage + 1}";
}
