namespace Microsoft.ML.SwitchablePrecision.Tests;

/// <summary>
/// Tests that set or depend on state shared by the whole process run alone, after the parallel collections: torch's
/// intra-op thread count (<c>torch.set_num_threads</c> is process-wide in libtorch, so it cannot be passed to one
/// call), TorchSharp's global generator (<c>manual_seed</c>; every <c>nn</c> layer constructor draws from it), and
/// process-wide counters such as <c>GC.GetTotalAllocatedBytes</c>. Tests elsewhere may then assume a constant thread
/// count and undisturbed generator.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideStateCollection
{
    public const string Name = "Process-wide torch state";
}
