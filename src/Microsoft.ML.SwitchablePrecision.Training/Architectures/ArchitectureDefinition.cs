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
/// <param name="NetworkType">The class <paramref name="Build"/> creates (the plan walk describes networks of that class only).</param>
internal sealed record ArchitectureDefinition(
    ArchitectureKind Kind,
    IReadOnlyList<int> StageWidths,
    IReadOnlyList<int> BlocksPerStage,
    Func<NetworkOptions, SwitchableNetwork> Build,
    Func<NetworkOptions, long> MinimumWeightBytes,
    Type NetworkType)
{
    /// <summary>
    /// The walk that describes the network at one switch for its inference plan (<see cref="PlanWalks"/>), or null
    /// when the architecture has no plan builder.
    /// </summary>
    public Func<PlanBuilder, Inference.Description.PlanDescription>? CompilePlan => PlanWalks.For(Kind);
}
