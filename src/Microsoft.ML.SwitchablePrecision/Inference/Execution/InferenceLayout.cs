using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference.Execution;

/// <summary>
/// Which workspace buffer holds each activation slot of a plan: slots whose lifetimes (first write to last read) do
/// not overlap share a buffer, so a ResNet-20 needs a handful of activation buffers however deep it is.
/// </summary>
internal sealed class InferenceLayout
{
    private readonly IReadOnlyList<PlanStep> _steps;

    private InferenceLayout(IReadOnlyList<int> floats, IReadOnlyList<int> levels, IReadOnlyList<PlanStep> steps)
    {
        FloatBuffers = floats;
        LevelBuffers = levels;
        _steps = steps;
        AccumulatorsPerImage = steps.Count == 0 ? 0 : steps.Max(s => s.AccumulatorsPerImage);
    }

    /// <summary>Floats per image of each float buffer.</summary>
    public IReadOnlyList<int> FloatBuffers { get; }

    /// <summary>Bytes per image of each level buffer.</summary>
    public IReadOnlyList<int> LevelBuffers { get; }

    /// <summary>Accumulators per image of the largest step.</summary>
    public int AccumulatorsPerImage { get; }

    /// <summary>Scratch of the largest step for a call on <paramref name="images"/> images.</summary>
    public ScratchSize ScratchFor(int images) => _steps.Aggregate(default(ScratchSize), (max, s) => max.Max(s.Scratch(images)));

    /// <summary>Assigns a buffer to every slot; <paramref name="input"/> is written before the first step, <paramref name="output"/> read after the last.</summary>
    public static InferenceLayout Assign(ActivationSlot input, IReadOnlyList<PlanStep> steps, ActivationSlot output)
    {
        var lastRead = new Dictionary<ActivationSlot, int>();
        for (int i = 0; i < steps.Count; i++)
            foreach (var slot in steps[i].Reads) lastRead[slot] = i;
        lastRead[output] = int.MaxValue;

        var sizes = new[] { new List<int>(), new List<int>() };
        var free = new[] { new List<int>(), new List<int>() };
        void Place(ActivationSlot slot)
        {
            if (slot.Buffer >= 0) throw new InvalidOperationException($"Slot {slot} is written twice.");
            int kind = slot.IsLevels ? 1 : 0;
            if (free[kind].Count > 0)
            {
                slot.Buffer = free[kind][^1];
                free[kind].RemoveAt(free[kind].Count - 1);
                sizes[kind][slot.Buffer] = Math.Max(sizes[kind][slot.Buffer], slot.PerImage);
            }
            else
            {
                slot.Buffer = sizes[kind].Count;
                sizes[kind].Add(slot.PerImage);
            }
        }
        void Release(ActivationSlot slot, int step)
        {
            if (!lastRead.TryGetValue(slot, out int last) || last == step) free[slot.IsLevels ? 1 : 0].Add(slot.Buffer);
        }

        Place(input);
        for (int i = 0; i < steps.Count; i++)
        {
            foreach (var slot in steps[i].Writes) Place(slot);
            foreach (var slot in steps[i].Reads.Concat(steps[i].Writes).Distinct()) Release(slot, i);
        }
        return new InferenceLayout(sizes[0], sizes[1], steps);
    }
}
