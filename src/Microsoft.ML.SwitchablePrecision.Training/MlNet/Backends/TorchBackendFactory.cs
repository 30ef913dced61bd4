using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Persistence;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// What the runtime's model loader finds when this assembly is present (<see cref="TrainingAssembly"/>, by name, with
/// no registration call): a full model loads into a TorchSharp network, as it did before the runtime was split off.
/// </summary>
internal sealed class TorchBackendFactory : ITrainingBackendFactory
{
    /// <inheritdoc/>
    public (ModelMetadata Metadata, INetworkBackend Backend) Read(Stream source)
    {
        TorchSharpRuntime.EnsureAvailable();
        var (metadata, network) = NetworkModelFile.Read(source);
        return (metadata, new TorchNetworkBackend(network));
    }
}
