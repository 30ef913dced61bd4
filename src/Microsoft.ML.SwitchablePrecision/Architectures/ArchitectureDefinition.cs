using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// Everything the library needs to know about one architecture, defined beside the network class and listed once in
/// <see cref="ArchitectureRegistry"/>.
/// </summary>
/// <param name="Kind">The option value that selects it.</param>
/// <param name="StageWidths">Output channels of each stage at width multiplier 1, as published.</param>
/// <param name="BlocksPerStage">Residual blocks of each stage, as published.</param>
/// <param name="Build">Builds the network from validated options (called inside the factory's seeded scope).</param>
/// <param name="MinimumWeightBytes">
/// A lower bound on the float32 bytes of the network's weights, computed from the options without building it: a stored
/// model whose payload is smaller cannot hold the network and is rejected before any allocation.
/// </param>
/// <param name="CompilePlan">
/// Compiles the network at one switch into an inference plan, or null when the architecture has no plan builder.
/// </param>
internal sealed record ArchitectureDefinition(
    ArchitectureKind Kind,
    IReadOnlyList<int> StageWidths,
    IReadOnlyList<int> BlocksPerStage,
    Func<NetworkOptions, SwitchableNetwork> Build,
    Func<NetworkOptions, long> MinimumWeightBytes,
    Func<SwitchableNetwork, PlanBuilder, InferencePlan>? CompilePlan)
{
    /// <summary>A plan compiler for networks of type <typeparamref name="TNetwork"/> built by <paramref name="build"/>.</summary>
    public static Func<SwitchableNetwork, PlanBuilder, InferencePlan> PlanOf<TNetwork>(Func<TNetwork, PlanBuilder, InferencePlan> build)
        where TNetwork : SwitchableNetwork => (network, plan) => network is TNetwork typed
            ? build(typed, plan)
            : throw new NotSupportedException(
                $"The network is a {network.GetType().Name} with Architecture {network.Options.Architecture}: the plan builder of that architecture expects a {typeof(TNetwork).Name}.");
}
