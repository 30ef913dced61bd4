using System.Numerics.Tensors;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// The fused epilogue of a layer: per output channel <c>y = Multiplier acc + Bias</c> (the folded BatchNorm times the
/// weight and activation scales), then the residual add, then ReLU, then each consumer's form of y (raw floats,
/// clipped floats, or the next layer's quantizer levels). Reads the accumulators and writes its outputs channels-last
/// <c>[P, Channels]</c>.
/// </summary>
internal sealed class OutputStage
{
    private readonly float[] _multiplier;
    private readonly float[] _bias;
    private readonly (ActivationForm Form, ActivationSlot Slot)[] _outputs;

    public OutputStage(FoldedNorm fold, ActivationSlot? residual, bool relu, IReadOnlyList<(ActivationForm, ActivationSlot)> outputs)
    {
        _multiplier = fold.Multiplier;
        _bias = fold.Bias;
        Residual = residual;
        Relu = relu;
        _outputs = outputs.ToArray();
        if (_outputs.Length == 0) throw new ArgumentException("A layer's output stage needs at least one consumer.", nameof(outputs));
    }

    /// <summary>Output channels.</summary>
    public int Channels => _multiplier.Length;

    /// <summary>The float slot added before the ReLU, or null.</summary>
    public ActivationSlot? Residual { get; }

    /// <summary>Whether a ReLU follows.</summary>
    public bool Relu { get; }

    /// <summary>Each consumer's form and the slot it is written to.</summary>
    public IReadOnlyList<(ActivationForm Form, ActivationSlot Slot)> Outputs => _outputs;

    /// <summary>Slots written.</summary>
    public IEnumerable<ActivationSlot> Writes => _outputs.Select(o => o.Slot);

    /// <summary>How the stage ends, for plan descriptions.</summary>
    public string Description =>
        (Residual is null ? "" : " + residual") + (Relu ? " + ReLU" : "") + " -> " +
        string.Join(", ", _outputs.Select(o => o.Form.Quantizer is { } q ? $"{o.Form.Encoding} {q.Kind} {q.Bits}-bit" : o.Form.Encoding.ToString()));

    /// <summary>Scratch: one pixel's channels.</summary>
    public ScratchSize Scratch => new(Floats: Channels);

    /// <summary>Applies the stage to <paramref name="columns"/> pixels of accumulators.</summary>
    public void Apply(ReadOnlySpan<float> accumulators, int columns, Workspace workspace, int images)
    {
        int channels = Channels;
        var row = workspace.FloatScratch(channels);
        var residual = Residual is null ? default : workspace.Floats(Residual, images);
        for (int p = 0; p < columns; p++)
        {
            MultiplyAdd(accumulators.Slice(p * channels, channels), _multiplier, _bias, row);
            if (Residual is not null) TensorPrimitives.Add(row, residual.Slice(p * channels, channels), row);
            if (Relu) TensorPrimitives.Max(row, 0f, row);
            foreach (var (form, slot) in _outputs)
            {
                if (form.IsLevels) form.Write(row, workspace.Levels(slot, images).Slice(p * channels, channels), default);
                else form.Write(row, default, workspace.Floats(slot, images).Slice(p * channels, channels));
            }
        }
    }

    // y = x * multiplier + bias, rounded after the product and after the sum (no fused multiply-add) like the float path.
    private static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> multiplier, ReadOnlySpan<float> bias, Span<float> y)
    {
        TensorPrimitives.Multiply(x, multiplier, y);
        TensorPrimitives.Add(y, bias, y);
    }
}
