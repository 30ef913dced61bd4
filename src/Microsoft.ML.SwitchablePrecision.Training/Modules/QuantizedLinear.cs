using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Quantization;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// A fully connected layer whose latent full-precision weight and bias are shared by all switches; optionally
/// quantizes its weights and its input at the active switch (the bias stays full precision).
/// </summary>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly OperandQuantizers _quantizers;

    /// <summary>Creates the layer with PyTorch's default initialisation (uniform in ±1/sqrt(in)).</summary>
    /// <param name="name">Module name.</param>
    /// <param name="context">The network's switch context.</param>
    /// <param name="quantizer">Quantizer family.</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="quantizeWeights">Quantize the weights at the switch's weight bits.</param>
    /// <param name="quantizeInput">Quantize the input at the switch's activation bits.</param>
    public QuantizedLinear(string name, SwitchContext context, QuantizerKind quantizer, long inFeatures, long outFeatures,
        bool quantizeWeights, bool quantizeInput) : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear layer '{name}' needs positive sizes, got {inFeatures}->{outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        double bound = 1.0 / Math.Sqrt(inFeatures);
        var weight = empty(outFeatures, inFeatures);
        InitialWeights.Uniform(weight, bound);
        var biasValues = empty(outFeatures);
        InitialWeights.Uniform(biasValues, bound);
        _weight = new Parameter(weight);
        _bias = new Parameter(biasValues);
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
        _quantizers = new OperandQuantizers(context, quantizer, _weight, quantizeWeights, quantizeInput);
        _quantizers.RegisterWith(register_module);
    }

    /// <summary>Input features.</summary>
    public long InFeatures { get; }

    /// <summary>Output features.</summary>
    public long OutFeatures { get; }

    /// <summary>The shared latent full-precision weight <c>[out, in]</c>.</summary>
    public Parameter Weight => _weight;

    /// <summary>The shared full-precision bias <c>[out]</c>.</summary>
    internal Parameter Bias => _bias;

    /// <summary>The weight quantizer, or null when the weights stay full precision.</summary>
    internal WeightQuantizer? WeightQuantizer => _quantizers.Weight;

    /// <summary>The input activation quantizer, or null when the input stays full precision.</summary>
    internal ActivationQuantizer? InputQuantizer => _quantizers.Input;

    /// <summary>True when the weights take the switch's weight bits.</summary>
    public bool QuantizesWeights => _quantizers.Weight is not null;

    /// <summary>True when the input takes the switch's activation bits.</summary>
    public bool QuantizesInput => _quantizers.Input is not null;

    /// <summary>The layer's cost per image.</summary>
    public LayerCost Describe(string path) =>
        new(path, "Linear", _weight.numel(), _weight.numel(), QuantizesWeights, QuantizesInput);

    /// <summary>Applies the layer at the active switch.</summary>
    public override Tensor forward(Tensor input)
    {
        var (x, w) = _quantizers.Quantize(input, _weight);
        using (x)
        using (w)
            return nn.functional.linear(x ?? input, w ?? _weight, _bias);
    }
}
