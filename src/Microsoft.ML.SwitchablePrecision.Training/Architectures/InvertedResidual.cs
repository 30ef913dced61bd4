using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// MobileNetV2 inverted residual: 1x1 expansion (skipped when the factor is 1), 3x3 depthwise, 1x1 linear
/// projection, each followed by switchable BatchNorm (ReLU6 after the first two), plus the input when the shape is
/// kept. The expansion's input is the previous linear bottleneck, which is signed, so it keeps a full-precision
/// input (its weights are quantized); the depthwise and projection inputs follow a ReLU6 and are quantized.
/// </summary>
internal sealed class InvertedResidual : ExplicitlyRegisteredModule
{
    private readonly QuantizedConv2d? _expand;
    private readonly SwitchableBatchNorm2d? _expandBn;
    private readonly QuantizedConv2d _depthwise;
    private readonly SwitchableBatchNorm2d _depthwiseBn;
    private readonly QuantizedConv2d _project;
    private readonly SwitchableBatchNorm2d _projectBn;
    private readonly bool _residual;

    public InvertedResidual(string name, SwitchContext context, QuantizerKind quantizer, long inChannels, long outChannels,
        int stride, int expansion, bool inputIsRectified) : base(name)
    {
        long hidden = inChannels * expansion;
        if (expansion != 1)
        {
            _expand = new QuantizedConv2d("expand", context, quantizer, inChannels, hidden, 1, quantizeInput: false);
            _expandBn = new SwitchableBatchNorm2d("expand_bn", context, hidden);
            register_module("expand", _expand);
            register_module("expand_bn", _expandBn);
        }
        _depthwise = new QuantizedConv2d("depthwise", context, quantizer, hidden, hidden, 3, stride, 1, groups: (int)hidden,
            quantizeInput: expansion != 1 || inputIsRectified);
        _depthwiseBn = new SwitchableBatchNorm2d("depthwise_bn", context, hidden);
        _project = new QuantizedConv2d("project", context, quantizer, hidden, outChannels, 1);
        _projectBn = new SwitchableBatchNorm2d("project_bn", context, outChannels);
        register_module("depthwise", _depthwise);
        register_module("depthwise_bn", _depthwiseBn);
        register_module("project", _project);
        register_module("project_bn", _projectBn);
        _residual = stride == 1 && inChannels == outChannels;
    }

    /// <summary>The 1x1 expansion, or null when the expansion factor is 1.</summary>
    public QuantizedConv2d? Expand => _expand;

    public SwitchableBatchNorm2d? ExpandNorm => _expandBn;

    /// <summary>The 3x3 depthwise convolution (groups = hidden channels).</summary>
    public QuantizedConv2d Depthwise => _depthwise;

    public SwitchableBatchNorm2d DepthwiseNorm => _depthwiseBn;

    /// <summary>The 1x1 linear projection.</summary>
    public QuantizedConv2d Project => _project;

    public SwitchableBatchNorm2d ProjectNorm => _projectBn;

    /// <summary>True when the block adds its input (stride 1, same channels).</summary>
    public bool HasResidual => _residual;

    public override Tensor forward(Tensor input)
    {
        var x = input;
        if (_expand is not null) x = nn.functional.relu6(_expandBn!.call(_expand.call(x)), inplace: true);
        x = nn.functional.relu6(_depthwiseBn.call(_depthwise.call(x)), inplace: true);
        var output = _projectBn.call(_project.call(x));
        return _residual ? output.add_(input, TorchScalars.One) : output;
    }

}
