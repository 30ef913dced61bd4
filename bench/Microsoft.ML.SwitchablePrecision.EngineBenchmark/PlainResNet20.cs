using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.EngineBenchmark;

/// <summary>The ResNet-20 of the library built from stock TorchSharp modules only: the full-precision baseline.</summary>
internal sealed class PlainResNet20 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _stem;
    private readonly BatchNorm2d _stemBn;
    private readonly ModuleList<PlainBlock> _blocks;
    private readonly Linear _classifier;

    public PlainResNet20(int channels, int classes) : base("plain_resnet20")
    {
        _stem = nn.Conv2d(channels, 16, 3, padding: 1, bias: false);
        _stemBn = nn.BatchNorm2d(16);
        var blocks = new List<PlainBlock>();
        long inChannels = 16;
        foreach (var (width, stage) in new[] { (16L, 0), (32L, 1), (64L, 2) })
            for (int b = 0; b < 3; b++)
            {
                blocks.Add(new PlainBlock(inChannels, width, stage > 0 && b == 0 ? 2 : 1));
                inChannels = width;
            }
        _blocks = new ModuleList<PlainBlock>(blocks.ToArray());
        _classifier = nn.Linear(64, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _stemBn.forward(_stem.forward(input)).relu_();
        foreach (var block in _blocks) x = block.forward(x);
        return _classifier.forward(x.mean([2, 3])).MoveToOuterDisposeScope();
    }

    private sealed class PlainBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv1;
        private readonly BatchNorm2d _bn1;
        private readonly Conv2d _conv2;
        private readonly BatchNorm2d _bn2;
        private readonly Conv2d? _shortcut;
        private readonly BatchNorm2d? _shortcutBn;

        public PlainBlock(long inChannels, long outChannels, int stride) : base("block")
        {
            _conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
            _bn1 = nn.BatchNorm2d(outChannels);
            _conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
            _bn2 = nn.BatchNorm2d(outChannels);
            if (stride != 1 || inChannels != outChannels)
            {
                _shortcut = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
                _shortcutBn = nn.BatchNorm2d(outChannels);
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var h = _bn1.forward(_conv1.forward(input)).relu_();
            var output = _bn2.forward(_conv2.forward(h));
            output.add_(_shortcut is null ? input : _shortcutBn!.forward(_shortcut.forward(input)));
            return output.relu_();
        }
    }
}
