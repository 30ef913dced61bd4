using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Inference;

/// <summary>
/// The inference plans of one network for one state of its weights: each switch's plan is compiled lazily, on the
/// first <see cref="Get"/>, and then shared by every caller. Invalidation is by construction: when the network enters
/// training mode or loads weights it replaces its cache with a new, empty one (<see cref="SwitchableNetwork.Plans"/>),
/// so nothing ever compares weights, and a caller holding an old plan keeps a consistent (old) network.
/// </summary>
/// <remarks>
/// Weights changed while the network stays in evaluation mode (an in-place edit of a parameter) are not seen: call
/// <c>train()</c> and <c>eval()</c>, or compile with <see cref="InferencePlanCompiler.Compile(SwitchableNetwork, Precision)"/>, after such an edit.
/// </remarks>
public sealed class InferencePlanCache
{
    private readonly SwitchableNetwork _network;
    private readonly Lazy<InferencePlan>[] _plans;

    internal InferencePlanCache(SwitchableNetwork network)
    {
        _network = network;
        _plans = network.Switches
            .Select(p => new Lazy<InferencePlan>(() => InferencePlanCompiler.Compile(network, p), LazyThreadSafetyMode.ExecutionAndPublication))
            .ToArray();
    }

    /// <summary>The plan of <paramref name="precision"/>, compiled on first use.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The network has no such switch.</exception>
    public InferencePlan Get(Precision precision) => _plans[_network.Context.IndexOf(precision)].Value;

    /// <summary>The plan of the switch at <paramref name="switchIndex"/> if it is compiled already (never compiles).</summary>
    internal InferencePlan? Compiled(int switchIndex) => _plans[switchIndex] is { IsValueCreated: true } plan ? plan.Value : null;

    /// <summary>How many switches have a compiled plan in this cache.</summary>
    public int CompiledCount => _plans.Count(p => p.IsValueCreated);
}
