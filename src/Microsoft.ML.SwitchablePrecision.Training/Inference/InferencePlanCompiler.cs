using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;

namespace Microsoft.ML.SwitchablePrecision.Inference;

/// <summary>Compiles a trained <see cref="SwitchableNetwork"/> at one switch into an <see cref="InferencePlan"/>.</summary>
public static class InferencePlanCompiler
{
    /// <summary>
    /// Builds the plan of <paramref name="network"/> at <paramref name="precision"/> from its current weights, BatchNorm
    /// statistics of that switch and quantizer parameters, as its evaluation-mode forward computes them. The network is
    /// only read (its active switch is not changed); the plan keeps its own copy of everything it needs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The network has no such switch.</exception>
    /// <exception cref="NotSupportedException">The architecture registered no plan builder.</exception>
    public static InferencePlan Compile(SwitchableNetwork network, Precision precision) =>
        Compile(network, precision, Arithmetic.ArithmeticSelector.DefaultMaxBitSerialPlanes);

    /// <summary>
    /// The torch-free description of <paramref name="network"/> at <paramref name="precision"/> that its plan is built
    /// from (<see cref="PlanAssembler"/>): what a compact model stores. It is described from the network's stored state
    /// (<see cref="StoredNetworkPlans"/>), exactly as a model loaded without TorchSharp is.
    /// </summary>
    internal static PlanDescription Describe(SwitchableNetwork network, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(network);
        var architecture = network.Options.Architecture;
        var walk = PlanWalks.Required(architecture);
        if (ArchitectureRegistry.Find(architecture)?.NetworkType is { } type && !type.IsInstanceOfType(network))
            throw new NotSupportedException(
                $"The network is a {network.GetType().Name} with Architecture {architecture}: the plan builder of that architecture expects a {type.Name}.");
        return walk(new PlanBuilder(Source(network), precision));
    }

    /// <summary>As <see cref="Compile(SwitchableNetwork, Precision)"/>, letting the bit-serial kernel serve up to <paramref name="maxBitSerialPlanes"/> plane pairs.</summary>
    internal static InferencePlan Compile(SwitchableNetwork network, Precision precision, int maxBitSerialPlanes) =>
        PlanAssembler.Build(Describe(network, precision), maxBitSerialPlanes);

    // The network's layers as a stored model holds them: its state written to memory and read back without TorchSharp.
    private static ILayerSource Source(SwitchableNetwork network)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) Persistence.NetworkState.Write(network, writer);
        return new StoredLayerSource(network.Options, StoredTensorTable.Read(buffer.ToArray()));
    }
}
