namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>Tests that read process-wide counters (resident memory) run alone, so no other test moves them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCountersCollection
{
    public const string Name = "Process-wide counters";
}
