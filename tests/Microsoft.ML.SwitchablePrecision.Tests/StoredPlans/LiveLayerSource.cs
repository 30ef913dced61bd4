using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>
/// The layers of a live TorchSharp network, read through its modules: weights through each layer's own quantizer
/// (so the values are bit for bit those the TorchSharp forward multiplies with), BatchNorm through its tensors. The
/// network's plans are described from its stored state instead (<c>InferencePlanCompiler</c>); this source is what
/// that torch-free path is measured against (docs/method.md, "Plans from stored weights").
/// </summary>
internal sealed class LiveLayerSource : ILayerSource
{
    private readonly Dictionary<string, nn.Module> _modules;

    public LiveLayerSource(SwitchableNetwork network)
    {
        Options = network.Options;
        _modules = network.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public NetworkOptions Options { get; }

    /// <inheritdoc/>
    public (float[] Values, WeightGrid Grid) Weights(string path, long[] shape, int switchIndex, int bits)
    {
        var (weight, quantizer) = Module(path) switch
        {
            QuantizedConv2d convolution => (convolution.Weight, convolution.WeightQuantizer),
            QuantizedLinear linear => (linear.Weight, linear.WeightQuantizer),
            var other => throw new InvalidOperationException($"Layer '{path}' is a {other.GetType().Name}; expected a weight layer."),
        };
        if (!weight.shape.SequenceEqual(shape))
            throw new InvalidOperationException($"Layer '{path}' has weights [{string.Join(", ", weight.shape)}]; its layout expects [{string.Join(", ", shape)}].");
        using var noGrad = no_grad();
        if (UniformLevels.IsFullPrecision(bits)) return (Floats(weight), default);
        var wq = quantizer ?? throw new InvalidOperationException($"Layer '{path}' quantizes no weights, but its layout says it does.");
        using var quantized = wq.Quantize(weight, switchIndex, bits);
        var values = Floats(quantized);
        return (values, wq.Grid(switchIndex, bits, values));
    }

    /// <inheritdoc/>
    public LevelQuantizer InputLevels(string path, int switchIndex, int bits)
    {
        var quantizer = Module(path) switch
        {
            QuantizedConv2d convolution => convolution.InputQuantizer,
            QuantizedLinear linear => linear.InputQuantizer,
            _ => null,
        };
        return (quantizer ?? throw new InvalidOperationException($"Layer '{path}' quantizes no input, but its layout says it does.")).Levels(switchIndex, bits);
    }

    /// <inheritdoc/>
    public FoldedNorm Norm(string path, int channels, int switchIndex)
    {
        if (Module(path) is not SwitchableBatchNorm2d switchable || switchable.Channels != channels)
            throw new InvalidOperationException($"Module '{path}' is not a switchable BatchNorm of {channels} channels.");
        using var _ = no_grad();
        var norm = switchable.ForSwitch(switchIndex);
        var mean = Floats(norm.running_mean!);
        var gamma = norm.weight is null ? Enumerable.Repeat(1f, mean.Length).ToArray() : Floats(norm.weight);
        var beta = norm.bias is null ? new float[mean.Length] : Floats(norm.bias);
        return FoldedNorm.Fold(mean, Floats(norm.running_var!), gamma, beta, norm.eps);
    }

    /// <inheritdoc/>
    public float[] Bias(string path, int features) => Module(path) is QuantizedLinear linear
        ? Floats(linear.Bias)
        : throw new InvalidOperationException($"Layer '{path}' is not a linear layer.");

    private nn.Module Module(string path) =>
        _modules.TryGetValue(path, out var module) ? module : throw new InvalidOperationException($"The network has no module '{path}'.");

    private static float[] Floats(Tensor tensor)
    {
        using var detached = tensor.detach();
        using var contiguous = detached.contiguous();
        return contiguous.data<float>().ToArray();
    }
}
