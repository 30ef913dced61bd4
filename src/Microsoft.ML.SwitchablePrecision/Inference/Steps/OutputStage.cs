using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// The fused epilogue of a layer: per output channel <c>y = Multiplier acc + Bias</c> (the folded BatchNorm times the
/// weight and activation scales), then the residual add, then ReLU (or ReLU6, <c>min(max(y, 0), 6)</c>), then each consumer's form of y (raw floats,
/// clipped floats, or the next layer's quantizer levels). Reads the accumulators and writes its outputs channels-last
/// <c>[P, Channels]</c>.
/// </summary>
internal sealed class OutputStage
{
    private readonly float[] _multiplier;
    private readonly float[] _bias;
    private readonly (ActivationForm Form, ActivationSlot Slot)[] _outputs;
    private readonly int _rawOutput;

    public OutputStage(FoldedNorm fold, ActivationSlot? residual, bool relu, IReadOnlyList<(ActivationForm, ActivationSlot)> outputs)
        : this(fold, residual, relu ? Rectifier.Relu : Rectifier.None, outputs)
    {
    }

    public OutputStage(FoldedNorm fold, ActivationSlot? residual, Rectifier rectifier, IReadOnlyList<(ActivationForm, ActivationSlot)> outputs)
    {
        _multiplier = fold.Multiplier;
        _bias = fold.Bias;
        Residual = residual;
        Rectifier = rectifier;
        _ceiling = rectifier == Rectifier.Relu6 ? 6f : float.PositiveInfinity;
        _outputs = outputs.ToArray();
        // A raw float consumer takes y as it is: the epilogue writes there directly and the others read it back.
        _rawOutput = Array.FindIndex(_outputs, o => o.Form.Encoding == ActivationEncoding.Raw);
        if (_outputs.Length == 0) throw new ArgumentException("A layer's output stage needs at least one consumer.", nameof(outputs));
    }

    /// <summary>Output channels.</summary>
    public int Channels => _multiplier.Length;

    /// <summary>The float slot added before the ReLU, or null.</summary>
    public ActivationSlot? Residual { get; }

    /// <summary>What follows the residual add.</summary>
    public Rectifier Rectifier { get; }

    /// <summary>Whether a ReLU (or ReLU6) follows.</summary>
    public bool Relu => Rectifier != Rectifier.None;

    private readonly float _ceiling;

    /// <summary>Each consumer's form and the slot it is written to.</summary>
    public IReadOnlyList<(ActivationForm Form, ActivationSlot Slot)> Outputs => _outputs;

    /// <summary>Slots written.</summary>
    public IEnumerable<ActivationSlot> Writes => _outputs.Select(o => o.Slot);

    /// <summary>How the stage ends, for plan descriptions.</summary>
    public string Description =>
        (Residual is null ? "" : " + residual") + (Rectifier switch { Rectifier.Relu => " + ReLU", Rectifier.Relu6 => " + ReLU6", _ => "" }) + " -> " +
        string.Join(", ", _outputs.Select(o => o.Form.Quantizer is { } q ? $"{o.Form.Encoding} {q.Kind} {q.Bits}-bit" : o.Form.Encoding.ToString()));

    /// <summary>Pixels the stage computes before handing them to its consumers: a few thousand floats, so they stay in L1.</summary>
    private int PixelsPerBlock => Math.Max(1, 2048 / Channels);

    /// <summary>Scratch: one block of pixels' channels.</summary>
    public ScratchSize Scratch => new(Floats: PixelsPerBlock * Channels);

    /// <summary>Applies the stage to <paramref name="columns"/> pixels of accumulators.</summary>
    public void Apply(ReadOnlySpan<float> accumulators, int columns, Workspace workspace, int images)
    {
        int channels = Channels, block = PixelsPerBlock;
        var residual = Residual is null ? default : workspace.Floats(Residual, images);
        if (_outputs.Length == 1 && _outputs[0].Form.IsLevels && LevelEpilogue.Serves(channels))
        {
            // One consumer taking levels: epilogue and level rule in one pass, no float y.
            int length = columns * channels;
            _outputs[0].Form.Quantizer!.EpilogueLevels(accumulators[..length], Residual is null ? default : residual[..length],
                workspace.Levels(_outputs[0].Slot, images)[..length], columns, _multiplier, _bias, Relu, _ceiling);
            return;
        }
        int raw = _rawOutput;
        for (int first = 0; first < columns; first += block)
        {
            int count = Math.Min(block, columns - first), start = first * channels, length = count * channels;
            var y = raw >= 0 ? workspace.Floats(_outputs[raw].Slot, images).Slice(start, length) : workspace.FloatScratch(length);
            ChannelEpilogue.Apply(accumulators.Slice(start, length), Residual is null ? default : residual.Slice(start, length), y, count,
                _multiplier, _bias, Relu, _ceiling);
            for (int o = 0; o < _outputs.Length; o++)
            {
                if (o == raw) continue;
                var (form, slot) = _outputs[o];
                if (form.IsLevels) form.Write(y, workspace.Levels(slot, images).Slice(start, length), default);
                else form.Write(y, default, workspace.Floats(slot, images).Slice(start, length));
            }
        }
    }
}

/// <summary>The activation function an <see cref="OutputStage"/> applies after the residual add.</summary>
internal enum Rectifier
{
    /// <summary>None: the value is linear (a projection or a shortcut).</summary>
    None,

    /// <summary><c>max(y, 0)</c>.</summary>
    Relu,

    /// <summary><c>min(max(y, 0), 6)</c> (MobileNetV2).</summary>
    Relu6,
}
