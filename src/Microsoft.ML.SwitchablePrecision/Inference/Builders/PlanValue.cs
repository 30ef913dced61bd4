using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// An activation while a plan is being built: its shape and the forms its consumers asked for. The producing step is
/// created only when the plan is built, so it writes exactly those forms (the raw float only if a residual or a float
/// layer reads it, the levels of each quantized consumer).
/// </summary>
internal sealed class PlanValue(string name, int channels, int height, int width)
{
    private readonly List<(ActivationForm Form, ActivationSlot Slot)> _forms = [];

    public string Name { get; } = name;

    public int Channels { get; } = channels;

    public int Height { get; } = height;

    public int Width { get; } = width;

    public int PerImage => Channels * Height * Width;

    /// <summary>Every form asked for so far, with its slot.</summary>
    public IReadOnlyList<(ActivationForm Form, ActivationSlot Slot)> Forms => _forms;

    /// <summary>The slot holding <paramref name="form"/> of this value (one slot per distinct form).</summary>
    public ActivationSlot Read(ActivationForm form)
    {
        foreach (var (existing, slot) in _forms)
            if (existing == form) return slot;
        string suffix = form.Quantizer is { } q ? $"{form.Encoding} {q.Bits}-bit" : form.Encoding.ToString();
        var created = new ActivationSlot($"{Name} {suffix}", form.IsLevels, PerImage);
        _forms.Add((form, created));
        return created;
    }
}
