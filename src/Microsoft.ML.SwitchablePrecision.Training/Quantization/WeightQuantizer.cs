using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Quantizes a layer's latent weights at the active switch's <see cref="Precision.WeightBits"/> with the rule of its
/// quantizer family, and holds that family's per-switch state for these weights: DoReFa weights (also PACT's) have
/// none; LSQ learns a step <c>step_{i}</c> per quantized switch <c>i</c> (initialised at construction to
/// <c>2 mean|w| / sqrt(Q_P)</c>, or <c>mean|w|</c> at 1 bit). At 32 bits it is the identity.
/// </summary>
public sealed class WeightQuantizer : nn.Module<Tensor, Tensor>
{
    private readonly SwitchContext _context;
    private readonly WeightQuantizerRule _rule;

    /// <summary>Creates the quantizer for one layer's weights.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="context">The network's switch context.</param>
    /// <param name="kind">Quantizer family.</param>
    /// <param name="initialWeights">The layer's initial latent weights (LSQ initialises its steps from them).</param>
    /// <exception cref="ArgumentException">No quantizer family is registered for <paramref name="kind"/>.</exception>
    public WeightQuantizer(string name, SwitchContext context, QuantizerKind kind, Tensor initialWeights) : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(initialWeights);
        _context = context;
        Family = QuantizerRegistry.Get(kind, nameof(kind));
        _rule = QuantizerRuleRegistry.Get(kind, nameof(kind)).CreateWeightRule(context, initialWeights);
        _rule.RegisterWith((n, p) => register_parameter(n, p), (n, b) => register_buffer(n, b));
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind => Family.Kind;

    /// <summary>The registered family behind <see cref="Kind"/>.</summary>
    internal QuantizerFamily Family { get; }

    /// <summary>The LSQ step of switch <paramref name="switchIndex"/>; null for other families or a 32-bit switch.</summary>
    public Parameter? Step(int switchIndex) => _rule.Step(switchIndex);

    /// <summary>True when the active switch leaves weights unquantized.</summary>
    public bool IsIdentity => _context.FullPrecisionOverride || UniformLevels.IsFullPrecision(_context.Active.WeightBits);

    /// <summary>Returns the weights quantized at the active switch (an alias of them at 32 bits).</summary>
    public override Tensor forward(Tensor weights)
    {
        int index = _context.ActiveIndex;
        int bits = _context.Switches[index].WeightBits;
        if (_context.FullPrecisionOverride || UniformLevels.IsFullPrecision(bits)) return weights.alias();
        return _rule.Quantize(weights, index, bits);
    }

    /// <summary><paramref name="weights"/> quantized at switch <paramref name="switchIndex"/> with <paramref name="bits"/> (1 to 8) bits, whatever switch is active.</summary>
    internal Tensor Quantize(Tensor weights, int switchIndex, int bits) => _rule.Quantize(weights, switchIndex, bits);

    /// <summary>The family's integer grid of <paramref name="quantized"/>, this quantizer's output at the switch.</summary>
    internal WeightGrid Grid(int switchIndex, int bits, ReadOnlySpan<float> quantized) => _rule.Grid(switchIndex, bits, quantized);
}
