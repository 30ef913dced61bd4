using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Quantizes a layer's input activations at the active switch's <see cref="Precision.ActivationBits"/>. Holds the
/// per-switch parameters of its family: PACT clipping levels <c>alpha_{i}</c> or LSQ steps <c>step_{i}</c> (one per
/// quantized switch <c>i</c>) plus the LSQ buffer <c>step_initialized</c> (1 once switch <c>i</c>'s step was set from
/// its first training batch). At 32 bits it is the identity, or a clip to [0, 1] when the context says
/// <see cref="SwitchContext.ClipFullPrecisionActivations"/>.
/// </summary>
public sealed class ActivationQuantizer : nn.Module<Tensor, Tensor>
{
    private readonly SwitchContext _context;
    private readonly Parameter?[] _perSwitch;
    private readonly Tensor? _stepInitialized;

    /// <summary>Creates the quantizer for one layer input.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="context">The network's switch context.</param>
    /// <param name="kind">Quantizer family.</param>
    /// <param name="initialAlpha">PACT's initial clipping level (ignored by the other families).</param>
    public ActivationQuantizer(string name, SwitchContext context, QuantizerKind kind, float initialAlpha = Pact.DefaultInitialAlpha)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!(initialAlpha > 0))
            throw new ArgumentOutOfRangeException(nameof(initialAlpha), initialAlpha, "PACT's initial clipping level must be positive.");
        _context = context;
        Kind = kind;
        _perSwitch = new Parameter?[context.Switches.Count];
        if (kind is QuantizerKind.Pact or QuantizerKind.Lsq)
        {
            string prefix = kind == QuantizerKind.Pact ? "alpha" : "step";
            float initial = kind == QuantizerKind.Pact ? initialAlpha : 1f;
            for (int i = 0; i < _perSwitch.Length; i++)
            {
                if (UniformLevels.IsFullPrecision(context.Switches[i].ActivationBits)) continue;
                var parameter = new Parameter(tensor(initial));
                register_parameter($"{prefix}_{i}", parameter);
                _perSwitch[i] = parameter;
            }
        }
        if (kind == QuantizerKind.Lsq)
        {
            _stepInitialized = zeros(_perSwitch.Length);
            register_buffer("step_initialized", _stepInitialized);
        }
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind { get; }

    /// <summary>The learned PACT clipping level or LSQ step of switch <paramref name="switchIndex"/>; null for DoReFa or a 32-bit switch.</summary>
    public Parameter? LearnedScale(int switchIndex) => _perSwitch[switchIndex];

    /// <summary>True once the LSQ step of switch <paramref name="switchIndex"/> was initialised from data (always true for other families).</summary>
    public bool IsInitialized(int switchIndex) =>
        _stepInitialized is null || _stepInitialized.data<float>()[switchIndex] != 0;

    /// <summary>True when the active switch passes activations on unchanged.</summary>
    public bool IsIdentity => _context.FullPrecisionOverride
        || (UniformLevels.IsFullPrecision(_context.Active.ActivationBits) && !_context.ClipFullPrecisionActivations);

    /// <summary>Returns the input quantized at the active switch (at 32 bits an alias of it, or its clip to [0, 1]).</summary>
    public override Tensor forward(Tensor input)
    {
        int index = _context.ActiveIndex;
        int bits = _context.Switches[index].ActivationBits;
        if (_context.FullPrecisionOverride) return input.alias();
        if (UniformLevels.IsFullPrecision(bits)) return _context.ClipFullPrecisionActivations ? input.clamp(0, 1) : input.alias();
        switch (Kind)
        {
            case QuantizerKind.DoReFa:
                return DoReFa.QuantizeActivations(input, bits);
            case QuantizerKind.Pact:
                return Pact.QuantizeActivations(input, _perSwitch[index]!, bits);
            default:
                var step = _perSwitch[index]!;
                if (training && !IsInitialized(index)) InitializeStep(index, step, input, bits);
                long perImage = input.shape[0] == 0 ? 1 : Math.Max(1, input.numel() / input.shape[0]);
                return Lsq.Quantize(input, step, bits, signed: false, Lsq.GradientScale(perImage, bits, signed: false));
        }
    }

    private void InitializeStep(int index, Parameter step, Tensor input, int bits)
    {
        using var _ = no_grad();
        step.fill_(Lsq.InitialStep(input, bits, signed: false));
        using var flag = _stepInitialized![index];
        flag.fill_(1);
    }
}
