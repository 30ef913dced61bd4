using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// The trained network behind a <see cref="SwitchablePrecisionTransformer"/> that holds a full model: the compiled
/// plans of its switches always, and, where the training assembly supplied the backend, the TorchSharp network as the
/// reference forward. The runtime's own backend (<see cref="StoredNetworkBackend"/>) reads the stored weights without
/// TorchSharp; the training assembly's wraps a live network. The transformer serialises every call that is not a
/// compiled-plan read under its own lock.
/// </summary>
internal interface INetworkBackend : IDisposable
{
    /// <summary>The network's options (switches, architecture, image geometry).</summary>
    NetworkOptions Options { get; }

    /// <summary>The switches, in the network's order.</summary>
    IReadOnlyList<Precision> Switches { get; }

    /// <summary>The switch that was active when the network was trained or loaded.</summary>
    int ActiveIndex { get; }

    /// <summary>True when the TorchSharp forward is there (the training assembly's backend); false: plans only.</summary>
    bool HasReferenceForward { get; }

    /// <summary>Whether the TorchSharp forward may use the packed binary kernels.</summary>
    /// <exception cref="InvalidOperationException">Setting it without a reference forward; the message names the missing package.</exception>
    bool UsePackedKernels { get; set; }

    /// <summary>The index of <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one of the switches; the message lists them.</exception>
    int IndexOf(Precision precision);

    /// <summary>The plan of switch <paramref name="switchIndex"/> if it is compiled already (never compiles; no lock needed).</summary>
    InferencePlan? CompiledPlan(int switchIndex);

    /// <summary>The plan of switch <paramref name="switchIndex"/>, compiled on first use (called under the transformer's lock).</summary>
    InferencePlan CompilePlan(int switchIndex);

    /// <summary>The torch-free description of switch <paramref name="precision"/>, as a compact model stores it.</summary>
    PlanDescription Describe(Precision precision);

    /// <summary>The layer costs and parameter count the precision report is computed from.</summary>
    ReportBasis ReportBasis();

    /// <summary>Class probabilities of <paramref name="count"/> images on the TorchSharp forward at switch <paramref name="switchIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">No reference forward; the message names the missing package.</exception>
    float[] PredictProbabilities(ReadOnlySpan<float> pixels, int count, int switchIndex);

    /// <summary>Writes every parameter and buffer as the model file's state stream (<c>NetworkState</c>'s format).</summary>
    void WriteState(BinaryWriter writer);
}
