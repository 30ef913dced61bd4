using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Inference.Description;

namespace Microsoft.ML.SwitchablePrecision.Inference.Stored;

/// <summary>
/// Inference plans of a network from its stored state alone, without TorchSharp: the architecture's plan walk over the
/// layout of the stored options, reading every layer from the stored tensors (<see cref="StoredLayerSource"/>). A live
/// network's plans are described the same way, from its state written to memory (<c>InferencePlanCompiler</c>),
/// so both give the same plan by construction.
/// </summary>
internal static class StoredNetworkPlans
{
    /// <summary>The description of the network stored as <paramref name="tensors"/> at <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The options have no such switch.</exception>
    /// <exception cref="NotSupportedException">The architecture has no plan walk.</exception>
    /// <exception cref="InvalidDataException">A tensor the layout needs is missing or has another shape.</exception>
    public static PlanDescription Describe(NetworkOptions options, StoredTensorTable tensors, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tensors);
        var walk = PlanWalks.Required(options.Architecture);
        return walk(new PlanBuilder(new StoredLayerSource(options, tensors), precision));
    }

    /// <summary>The plan of the network stored as <paramref name="tensors"/> at <paramref name="precision"/>.</summary>
    public static InferencePlan Compile(NetworkOptions options, StoredTensorTable tensors, Precision precision,
        int maxBitSerialPlanes = ArithmeticSelector.DefaultMaxBitSerialPlanes) =>
        PlanAssembler.Build(Describe(options, tensors, precision), maxBitSerialPlanes);
}
