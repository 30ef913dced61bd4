using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// One fused step of an <see cref="InferencePlan"/>: reads some activation slots, writes others. Steps are immutable
/// after the plan is built; everything a call changes lives in its <see cref="Workspace"/>, so one step may run on
/// many threads at once.
/// </summary>
internal abstract class PlanStep(string name)
{
    /// <summary>The layer path the step computes, as in <c>SwitchableNetwork.DescribeLayers</c>.</summary>
    public string Name { get; } = name;

    /// <summary>What the step computes and with which kernel, for plan descriptions.</summary>
    public abstract string Description { get; }

    /// <summary>Slots the step reads.</summary>
    public abstract IEnumerable<ActivationSlot> Reads { get; }

    /// <summary>Slots the step writes.</summary>
    public abstract IEnumerable<ActivationSlot> Writes { get; }

    /// <summary>Accumulators the step needs per image.</summary>
    public virtual int AccumulatorsPerImage => 0;

    /// <summary>Scratch the step needs for a call on <paramref name="images"/> images.</summary>
    public virtual ScratchSize Scratch(int images) => default;

    /// <summary>Computes the step for the first <paramref name="images"/> images of <paramref name="workspace"/>.</summary>
    public abstract void Run(Workspace workspace, int images);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Description}";
}
