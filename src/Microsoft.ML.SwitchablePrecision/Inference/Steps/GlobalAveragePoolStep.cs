using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>The mean of each channel over the pixels of a channels-last float slot, written in each consumer's form.</summary>
internal sealed class GlobalAveragePoolStep(string name, ActivationSlot input, int pixels, int channels,
    IReadOnlyList<(ActivationForm Form, ActivationSlot Slot)> outputs) : PlanStep(name)
{
    private readonly (ActivationForm Form, ActivationSlot Slot)[] _outputs = outputs.ToArray();

    /// <inheritdoc/>
    public override string Description => $"global average pool of {input.Name} ({pixels} pixels x {channels} channels)";

    /// <inheritdoc/>
    public override IEnumerable<ActivationSlot> Reads => [input];

    /// <inheritdoc/>
    public override IEnumerable<ActivationSlot> Writes => _outputs.Select(o => o.Slot);

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => new(Floats: channels);

    /// <inheritdoc/>
    public override void Run(Workspace workspace, int images)
    {
        var source = workspace.Floats(input, images);
        var mean = workspace.FloatScratch(channels);
        for (int n = 0; n < images; n++)
        {
            mean.Clear();
            var image = source.Slice(n * pixels * channels, pixels * channels);
            for (int p = 0; p < pixels; p++)
            {
                var pixel = image.Slice(p * channels, channels);
                for (int c = 0; c < channels; c++) mean[c] += pixel[c];
            }
            for (int c = 0; c < channels; c++) mean[c] /= pixels;
            foreach (var (form, slot) in _outputs)
            {
                if (form.IsLevels)
                {
                    var levels = workspace.Levels(slot, images).Slice(n * channels, channels);
                    for (int c = 0; c < channels; c++) levels[c] = form.Quantizer!.Level(mean[c]);
                }
                else
                {
                    var values = workspace.Floats(slot, images).Slice(n * channels, channels);
                    for (int c = 0; c < channels; c++) values[c] = form.Encode(mean[c]);
                }
            }
        }
    }
}
