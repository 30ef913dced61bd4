using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;

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
    /// from (<see cref="Description.PlanAssembler"/>): what a compact model stores.
    /// </summary>
    internal static Description.PlanDescription Describe(SwitchableNetwork network, Precision precision)
    {
        var builder = Builder(network, precision, Arithmetic.ArithmeticSelector.DefaultMaxBitSerialPlanes, out var compile);
        compile(network, builder);
        return builder.Description!;
    }

    private static IEnumerable<ArchitectureKind> PlannedArchitectures =>
        ArchitectureRegistry.All.Where(a => a.CompilePlan is not null).Select(a => a.Kind);

    /// <summary>As <see cref="Compile(SwitchableNetwork, Precision)"/>, letting the bit-serial kernel serve up to <paramref name="maxBitSerialPlanes"/> plane pairs.</summary>
    internal static InferencePlan Compile(SwitchableNetwork network, Precision precision, int maxBitSerialPlanes)
    {
        var builder = Builder(network, precision, maxBitSerialPlanes, out var compile);
        return compile(network, builder);
    }

    private static PlanBuilder Builder(SwitchableNetwork network, Precision precision, int maxBitSerialPlanes,
        out Func<SwitchableNetwork, PlanBuilder, InferencePlan> compile)
    {
        ArgumentNullException.ThrowIfNull(network);
        var builder = new PlanBuilder(network.Context, network.Context.IndexOf(precision), maxBitSerialPlanes);
        compile = ArchitectureRegistry.Find(network.Options.Architecture)?.CompilePlan ?? throw new NotSupportedException(
            $"Architecture {network.Options.Architecture} has no inference plan builder yet; expected one of {string.Join(", ", PlannedArchitectures)}.");
        return builder;
    }
}
