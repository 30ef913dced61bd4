using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Native;
using Parameter = TorchSharp.Modules.Parameter;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Quantizes a layer's input activations at the active switch's <see cref="Precision.ActivationBits"/> with the rule of
/// its quantizer family, and holds that family's per-switch state for this input: PACT clipping levels
/// <c>alpha_{i}</c> or LSQ steps <c>step_{i}</c> (one per quantized switch <c>i</c>) plus the LSQ buffer
/// <c>step_initialized</c> (1 once switch <c>i</c>'s step was set from its first training batch). At 32 bits it is the
/// identity, or a clip to [0, 1] when the context says <see cref="SwitchContext.ClipFullPrecisionActivations"/>.
/// </summary>
public sealed class ActivationQuantizer : nn.Module<Tensor, Tensor>
{
    private readonly SwitchContext _context;
    private readonly ActivationQuantizerRule _rule;

    /// <summary>Creates the quantizer for one layer input.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="context">The network's switch context.</param>
    /// <param name="kind">Quantizer family.</param>
    /// <param name="initialAlpha">PACT's initial clipping level (ignored by the other families).</param>
    /// <exception cref="ArgumentException">No quantizer family is registered for <paramref name="kind"/>.</exception>
    public ActivationQuantizer(string name, SwitchContext context, QuantizerKind kind, float initialAlpha = Pact.DefaultInitialAlpha)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!(initialAlpha > 0))
            throw new ArgumentOutOfRangeException(nameof(initialAlpha), initialAlpha, "PACT's initial clipping level must be positive.");
        _context = context;
        Family = QuantizerRegistry.Get(kind, nameof(kind));
        _rule = QuantizerRuleRegistry.Get(kind, nameof(kind)).CreateActivationRule(context, initialAlpha);
        _rule.RegisterWith((n, p) => register_parameter(n, p), (n, b) => register_buffer(n, b));
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind => Family.Kind;

    /// <summary>The registered family behind <see cref="Kind"/>.</summary>
    internal QuantizerFamily Family { get; }

    /// <summary>The learned PACT clipping level or LSQ step of switch <paramref name="switchIndex"/>; null for DoReFa or a 32-bit switch.</summary>
    public Parameter? LearnedScale(int switchIndex) => _rule.LearnedScale(switchIndex);

    /// <summary>True once the LSQ step of switch <paramref name="switchIndex"/> was initialised from data (always true for other families).</summary>
    public bool IsInitialized(int switchIndex) => _rule.IsInitialized(switchIndex);

    /// <summary>True when the active switch passes activations on unchanged.</summary>
    public bool IsIdentity => _context.FullPrecisionOverride
        || (UniformLevels.IsFullPrecision(_context.Active.ActivationBits) && !_context.ClipFullPrecisionActivations);

    /// <summary>The family's integer form at switch <paramref name="switchIndex"/> with <paramref name="bits"/> (1 to 8) bits.</summary>
    internal LevelQuantizer Levels(int switchIndex, int bits) => _rule.Levels(switchIndex, bits);

    /// <summary>Returns the input quantized at the active switch (at 32 bits an alias of it, or its clip to [0, 1]).</summary>
    public override Tensor forward(Tensor input)
    {
        int index = _context.ActiveIndex;
        int bits = _context.Switches[index].ActivationBits;
        if (_context.FullPrecisionOverride) return input.alias();
        if (UniformLevels.IsFullPrecision(bits)) return _context.ClipFullPrecisionActivations ? input.clamp(TorchScalars.Zero, TorchScalars.One) : input.alias();
        return _rule.Quantize(input, index, bits, training);
    }
}
