using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Quantization;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// A 2-D convolution whose latent full-precision weight (and optional bias) is shared by all switches. At the
/// active switch it quantizes its input activations (<c>input_quantizer</c>, if <see cref="QuantizesInput"/>)
/// and its weights (<c>weight_quantizer</c>, if <see cref="QuantizesWeights"/>); the bias is never quantized.
/// The activation quantizer sits on the convolution's input, so the ReLU before it defines the activation.
/// </summary>
/// <remarks>
/// At inference the layer runs the exact packed binary kernel (<see cref="Kernels.BinaryConv2d"/>) instead of the
/// simulated float path when all of these hold: <see cref="SwitchContext.UsePackedKernels"/>, evaluation mode, no
/// gradient needed (gradients disabled, or neither input nor parameters require one), a quantizer family that runs on
/// the packed kernel (<see cref="QuantizerFamily.RunsOnPackedBinaryKernel"/>: DoReFa) on both operands with 1-bit weights and 1 to 8 activation bits at the active switch, batch times activation bits at most
/// <see cref="SwitchContext.PackedBatchBitsLimit"/> (8 by default: where packed was measured faster),
/// <see cref="Groups"/> = 1, and a CPU float32 NCHW input. Its output equals the simulated one up to float rounding
/// of the sum (docs/kernels.md). PACT and LSQ layers always take the float path.
/// </remarks>
public sealed class QuantizedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly OperandQuantizers _quantizers;
    private readonly SwitchContext _context;
    private readonly PackedConvolution _packed;
    private readonly long[] _stride;
    private readonly long[] _padding;
    private readonly long[] _dilation = [1, 1];

    /// <summary>Creates the convolution with Kaiming-normal (fan-out, ReLU) weights and a zero bias.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="context">The network's switch context.</param>
    /// <param name="quantizer">Quantizer family.</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="groups">Groups (<paramref name="inChannels"/> for a depthwise convolution).</param>
    /// <param name="bias">Whether the convolution has a bias.</param>
    /// <param name="quantizeWeights">Quantize the weights at the switch's weight bits.</param>
    /// <param name="quantizeInput">Quantize the input at the switch's activation bits.</param>
    public QuantizedConv2d(string name, SwitchContext context, QuantizerKind quantizer, long inChannels, long outChannels,
        int kernelSize, int stride = 1, int padding = 0, int groups = 1, bool bias = false,
        bool quantizeWeights = true, bool quantizeInput = true) : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || padding < 0 || groups <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels),
                $"Convolution '{name}' has an invalid shape: in {inChannels}, out {outChannels}, kernel {kernelSize}, stride {stride}, padding {padding}, groups {groups}.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Convolution '{name}': channels {inChannels}->{outChannels} are not divisible by groups {groups}.", nameof(groups));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        _stride = [stride, stride];
        _padding = [padding, padding];

        var weight = empty(outChannels, inChannels / groups, kernelSize, kernelSize);
        InitialWeights.KaimingNormalFanOut(weight);
        _weight = new Parameter(weight);
        register_parameter("weight", _weight);
        if (bias)
        {
            _bias = new Parameter(zeros(outChannels));
            register_parameter("bias", _bias);
        }
        _quantizers = new OperandQuantizers(context, quantizer, _weight, quantizeWeights, quantizeInput);
        _quantizers.RegisterWith(register_module);
        _context = context;
        _packed = new PackedConvolution(stride, padding);
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Square kernel size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Convolution groups.</summary>
    public int Groups { get; }

    /// <summary>The shared latent full-precision weight <c>[out, in / groups, k, k]</c>.</summary>
    public Parameter Weight => _weight;

    /// <summary>The weight quantizer, or null when the weights stay full precision.</summary>
    public WeightQuantizer? WeightQuantizer => _quantizers.Weight;

    /// <summary>The input activation quantizer, or null when the input stays full precision.</summary>
    public ActivationQuantizer? InputQuantizer => _quantizers.Input;

    /// <summary>True when the weights take the switch's weight bits.</summary>
    public bool QuantizesWeights => _quantizers.Weight is not null;

    /// <summary>True when the input takes the switch's activation bits.</summary>
    public bool QuantizesInput => _quantizers.Input is not null;

    /// <summary>Output height or width for an input of <paramref name="size"/> pixels.</summary>
    public long OutputSize(long size) => (size + 2L * Padding - KernelSize) / Stride + 1;

    /// <summary>The layer's cost for an input of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
    public LayerCost Describe(string path, long height, long width)
    {
        long weights = _weight.numel();
        long macs = OutputSize(height) * OutputSize(width) * weights;
        string kind = Groups > 1 && Groups == InChannels ? "DepthwiseConv2d" : "Conv2d";
        return new LayerCost(path, kind, weights, macs, QuantizesWeights, QuantizesInput);
    }

    /// <summary>How often this layer packed its weights (first packed call, then after every weight change).</summary>
    internal int PackedWeightBuilds => _packed.Builds;

    /// <summary>Convolves the (quantized) input with the (quantized) weights of the active switch.</summary>
    public override Tensor forward(Tensor input)
    {
        if (PackedActivationBits(input) is int bits)
        {
            _context.CountPackedConvolution();
            return _packed.Forward(input, _weight, _bias, bits);
        }
        var (x, w) = _quantizers.Quantize(input, _weight);
        using (x)
        using (w)
            return nn.functional.conv2d(x ?? input, w ?? _weight, _bias, _stride, _padding, _dilation, Groups);
    }

    /// <summary>Sets training or evaluation mode; entering training drops the packed weights.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        if (train) _packed.Invalidate();
    }

    // The activation bits of the active switch when this call can run packed, else null.
    private int? PackedActivationBits(Tensor input)
    {
        if (!_context.UsePackedKernels || _context.FullPrecisionOverride || Groups != 1 || training) return null;
        if (_quantizers.Weight is not { Family.RunsOnPackedBinaryKernel: true } || _quantizers.Input is not { Family.RunsOnPackedBinaryKernel: true })
            return null;
        var precision = _context.Active;
        if (precision.WeightBits != 1 || precision.ActivationBits > Kernels.ActivationLevels.MaxBits) return null;
        if (is_grad_enabled() && (input.requires_grad || _weight.requires_grad || _bias is { requires_grad: true }))
            return null;
        if (input.device_type != DeviceType.CPU || input.dtype != ScalarType.Float32 || input.Dimensions != 4) return null;
        // Each read of shape is a native call: read it once.
        var shape = input.shape;
        if (shape[0] < 1 || shape[1] != InChannels || shape[2] + 2L * Padding < KernelSize || shape[3] + 2L * Padding < KernelSize)
            return null;
        if (_weight.device_type != DeviceType.CPU || _weight.dtype != ScalarType.Float32 || !_weight.is_contiguous())
            return null;
        long batch = shape[0];
        if (batch * precision.ActivationBits > _context.PackedBatchBitsLimit) return null;
        long outputs = batch * OutChannels * OutputSize(shape[2]) * OutputSize(shape[3]);
        return input.numel() > int.MaxValue || outputs > int.MaxValue ? null : precision.ActivationBits;
    }
}
