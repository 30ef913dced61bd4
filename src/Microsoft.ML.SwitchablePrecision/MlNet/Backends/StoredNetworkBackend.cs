using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// A full model read without TorchSharp (the prediction runtime alone): each switch's plan is built from the stored
/// weights on first use (<see cref="StoredNetworkPlans"/>, the same plans the TorchSharp network gives), and saving
/// writes the stored tensors back unchanged; the precision report is costed from the architecture's layout
/// (<see cref="LayoutReportBasis"/>). What needs the TorchSharp network fails naming the training package.
/// </summary>
internal sealed class StoredNetworkBackend : INetworkBackend
{
    /// <summary>The package that brings the TorchSharp network.</summary>
    public const string TrainingPackage = "Microsoft.ML.SwitchablePrecision.Training";

    private readonly StoredModel _model;
    private readonly PlanDescription[] _descriptions;
    private readonly Lazy<InferencePlan>[] _plans;
    private readonly Lazy<ReportBasis> _basis;

    public StoredNetworkBackend(StoredModel model)
    {
        _model = model;
        Switches = model.Options.Switches.ToArray();
        // Every switch is described at load, so a tensor that does not fit the stored options fails here, naming it, as
        // the TorchSharp reader fails; the plans are assembled from the descriptions on first use.
        _descriptions = Switches.Select(model.Describe).ToArray();
        _plans = _descriptions.Select(d => new Lazy<InferencePlan>(() => PlanAssembler.Build(d), LazyThreadSafetyMode.ExecutionAndPublication)).ToArray();
        ActiveIndex = IndexOf(model.Metadata.ActivePrecisionValue);
        _basis = new(() => LayoutReportBasis.Of(model.Options, model.Tensors), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public NetworkOptions Options => _model.Options;

    /// <inheritdoc/>
    public IReadOnlyList<Precision> Switches { get; }

    /// <inheritdoc/>
    public int ActiveIndex { get; }

    /// <inheritdoc/>
    public bool HasReferenceForward => false;

    /// <inheritdoc/>
    public bool UsePackedKernels
    {
        get => false;
        set => throw Missing("run the TorchSharp forward (UsePackedKernels)");
    }

    /// <inheritdoc/>
    public int IndexOf(Precision precision)
    {
        for (int i = 0; i < Switches.Count; i++)
            if (Switches[i] == precision) return i;
        throw new ArgumentOutOfRangeException(nameof(precision), precision.ToString(),
            $"Switch {precision} is not one of this model's switches: {string.Join(", ", Switches)}.");
    }

    /// <inheritdoc/>
    public InferencePlan? CompiledPlan(int switchIndex) => _plans[switchIndex] is { IsValueCreated: true } plan ? plan.Value : null;

    /// <inheritdoc/>
    public InferencePlan CompilePlan(int switchIndex) => _plans[switchIndex].Value;

    /// <inheritdoc/>
    public PlanDescription Describe(Precision precision) => _descriptions[IndexOf(precision)];

    /// <inheritdoc/>
    public ReportBasis ReportBasis() => _basis.Value;

    /// <inheritdoc/>
    public float[] PredictProbabilities(ReadOnlySpan<float> pixels, int count, int switchIndex) => throw Missing("run the TorchSharp forward");

    /// <inheritdoc/>
    public void WriteState(BinaryWriter writer) => _model.Tensors.Write(writer);

    /// <summary>Nothing to free: the stored tensors and plans are managed memory.</summary>
    public void Dispose()
    {
    }

    /// <summary>The error of a call that needs the TorchSharp network, naming <paramref name="what"/> and the package that brings it.</summary>
    public static InvalidOperationException Missing(string what) => new(
        $"This SP-Net was loaded by the prediction runtime alone (Microsoft.ML.SwitchablePrecision, without TorchSharp), which predicts on the " +
        $"inference plans of the stored weights; to {what}, the application must reference the {TrainingPackage} package.");
}
