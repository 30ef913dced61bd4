using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// ResNet basic block: <c>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>. Both 3x3 convolutions quantize
/// their weights and input; the shortcut is the identity, or a full-precision 1x1 convolution with switchable
/// BatchNorm when the shape changes.
/// </summary>
internal sealed class BasicBlock : ExplicitlyRegisteredModule
{
    private readonly QuantizedConv2d _conv1;
    private readonly SwitchableBatchNorm2d _bn1;
    private readonly QuantizedConv2d _conv2;
    private readonly SwitchableBatchNorm2d _bn2;
    private readonly QuantizedConv2d? _shortcut;
    private readonly SwitchableBatchNorm2d? _shortcutBn;

    public BasicBlock(string name, SwitchContext context, QuantizerKind quantizer, long inChannels, long outChannels, int stride)
        : base(name)
    {
        _conv1 = new QuantizedConv2d("conv1", context, quantizer, inChannels, outChannels, 3, stride, 1);
        _bn1 = new SwitchableBatchNorm2d("bn1", context, outChannels);
        _conv2 = new QuantizedConv2d("conv2", context, quantizer, outChannels, outChannels, 3, 1, 1);
        _bn2 = new SwitchableBatchNorm2d("bn2", context, outChannels);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        if (stride != 1 || inChannels != outChannels)
        {
            _shortcut = new QuantizedConv2d("shortcut", context, quantizer, inChannels, outChannels, 1, stride, 0,
                quantizeWeights: false, quantizeInput: false);
            _shortcutBn = new SwitchableBatchNorm2d("shortcut_bn", context, outChannels);
            register_module("shortcut", _shortcut);
            register_module("shortcut_bn", _shortcutBn);
        }
    }

    public QuantizedConv2d Conv1 => _conv1;

    public SwitchableBatchNorm2d Norm1 => _bn1;

    public QuantizedConv2d Conv2 => _conv2;

    public SwitchableBatchNorm2d Norm2 => _bn2;

    /// <summary>The 1x1 projection shortcut, or null for the identity.</summary>
    public QuantizedConv2d? Shortcut => _shortcut;

    public SwitchableBatchNorm2d? ShortcutNorm => _shortcutBn;

    public override Tensor forward(Tensor input)
    {
        using var c1 = _conv1.call(input);
        using var h = _bn1.call(c1).relu_();
        using var c2 = _conv2.call(h);
        var output = _bn2.call(c2);
        if (_shortcut is null)
        {
            output.add_(input, TorchScalars.One);
        }
        else
        {
            using var s = _shortcut.call(input);
            using var sn = _shortcutBn!.call(s);
            output.add_(sn, TorchScalars.One);
        }
        return output.relu_();
    }

}
