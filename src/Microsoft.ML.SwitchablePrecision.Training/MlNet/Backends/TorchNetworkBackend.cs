using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Reporting;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// A live TorchSharp network behind a <see cref="SwitchablePrecisionTransformer"/>: plans from the network's own cache
/// (<see cref="SwitchableNetwork.Plans"/>, replaced when it trains or loads weights), the TorchSharp forward as the
/// reference, and the network itself for training-side use (<see cref="TransformerNetworkExtensions"/>). The backend
/// owns the network: disposing it frees its native memory.
/// </summary>
internal sealed class TorchNetworkBackend : INetworkBackend
{
    /// <summary>Takes ownership of <paramref name="network"/> and puts it in evaluation mode once (the transformer only predicts).</summary>
    public TorchNetworkBackend(SwitchableNetwork network)
    {
        Network = network;
        network.eval();
    }

    /// <summary>The network.</summary>
    public SwitchableNetwork Network { get; }

    /// <inheritdoc/>
    public NetworkOptions Options => Network.Options;

    /// <inheritdoc/>
    public IReadOnlyList<Precision> Switches => Network.Switches;

    /// <inheritdoc/>
    public int ActiveIndex => Network.Context.ActiveIndex;

    /// <inheritdoc/>
    public bool HasReferenceForward => true;

    /// <inheritdoc/>
    public bool UsePackedKernels
    {
        get => Network.UsePackedKernels;
        set => Network.UsePackedKernels = value;
    }

    /// <inheritdoc/>
    public int IndexOf(Precision precision) => Network.Context.IndexOf(precision);

    /// <inheritdoc/>
    public InferencePlan? CompiledPlan(int switchIndex) => Network.Plans.Compiled(switchIndex);

    /// <inheritdoc/>
    public InferencePlan CompilePlan(int switchIndex) => Network.Plans.Get(Network.Switches[switchIndex]);

    /// <inheritdoc/>
    public PlanDescription Describe(Precision precision) => InferencePlanCompiler.Describe(Network, precision);

    /// <inheritdoc/>
    public ReportBasis ReportBasis() => new(Network.DescribeLayers(), Network.ParameterCount);

    /// <inheritdoc/>
    public float[] PredictProbabilities(ReadOnlySpan<float> pixels, int count, int switchIndex)
    {
        Network.Context.ActiveIndex = switchIndex;
        return NetworkEvaluator.PredictProbabilities(Network, pixels, count);
    }

    /// <inheritdoc/>
    public void WriteState(BinaryWriter writer) => Persistence.NetworkState.Write(Network, writer);

    /// <inheritdoc/>
    public void Dispose() => Network.Dispose();
}
