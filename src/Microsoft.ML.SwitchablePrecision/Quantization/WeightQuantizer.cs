using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Quantizes a layer's latent weights at the active switch's <see cref="Precision.WeightBits"/>: DoReFa for the
/// DoReFa and PACT families, LSQ with a learned step <c>step_{i}</c> per quantized switch <c>i</c> (initialised at
/// construction to <c>2 mean|w| / sqrt(Q_P)</c>, or <c>mean|w|</c> at 1 bit). At 32 bits it is the identity.
/// </summary>
public sealed class WeightQuantizer : nn.Module<Tensor, Tensor>
{
    private readonly SwitchContext _context;
    private readonly Parameter?[] _steps;
    private readonly long _weightCount;

    /// <summary>Creates the quantizer for one layer's weights.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="context">The network's switch context.</param>
    /// <param name="kind">Quantizer family.</param>
    /// <param name="initialWeights">The layer's initial latent weights (LSQ initialises its steps from them).</param>
    public WeightQuantizer(string name, SwitchContext context, QuantizerKind kind, Tensor initialWeights) : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(initialWeights);
        _context = context;
        Kind = kind;
        _weightCount = initialWeights.numel();
        _steps = new Parameter?[context.Switches.Count];
        if (kind != QuantizerKind.Lsq) return;
        for (int i = 0; i < _steps.Length; i++)
        {
            int bits = context.Switches[i].WeightBits;
            if (UniformLevels.IsFullPrecision(bits)) continue;
            var step = new Parameter(tensor(Lsq.InitialStep(initialWeights, bits, signed: true)));
            register_parameter($"step_{i}", step);
            _steps[i] = step;
        }
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind { get; }

    /// <summary>The LSQ step of switch <paramref name="switchIndex"/>; null for other families or a 32-bit switch.</summary>
    public Parameter? Step(int switchIndex) => _steps[switchIndex];

    /// <summary>True when the active switch leaves weights unquantized.</summary>
    public bool IsIdentity => _context.FullPrecisionOverride || UniformLevels.IsFullPrecision(_context.Active.WeightBits);

    /// <summary>Returns the weights quantized at the active switch (an alias of them at 32 bits).</summary>
    public override Tensor forward(Tensor weights)
    {
        int index = _context.ActiveIndex;
        int bits = _context.Switches[index].WeightBits;
        if (_context.FullPrecisionOverride || UniformLevels.IsFullPrecision(bits)) return weights.alias();
        return Kind == QuantizerKind.Lsq
            ? Lsq.Quantize(weights, _steps[index]!, bits, signed: true, Lsq.GradientScale(_weightCount, bits, signed: true))
            : DoReFa.QuantizeWeights(weights, bits);
    }
}
