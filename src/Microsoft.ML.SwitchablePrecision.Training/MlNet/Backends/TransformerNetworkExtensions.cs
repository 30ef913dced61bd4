using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>The TorchSharp network behind a transformer, for training-side code (fine-tuning, warm starts, tests).</summary>
internal static class TransformerNetworkExtensions
{
    extension(SwitchablePrecisionTransformer transformer)
    {
        /// <summary>The transformer's TorchSharp network.</summary>
        /// <exception cref="InvalidOperationException">The model was exported for inference, or loaded without a TorchSharp network.</exception>
        internal SwitchableNetwork Network => transformer.Backend is TorchNetworkBackend torch ? torch.Network
            : throw StoredNetworkBackend.Missing("use its TorchSharp network");

        /// <summary>Runs <paramref name="action"/> on the network while no forward pass can run.</summary>
        internal T Exclusive<T>(Func<SwitchableNetwork, T> action) =>
            transformer.WithBackend(_ => action(transformer.Network));
    }
}

/// <summary>Precision reports computed from a live network.</summary>
public static class NetworkPrecisionReports
{
    extension(PrecisionReport)
    {
        /// <summary>Computes the report of <paramref name="network"/>.</summary>
        public static PrecisionReport Create(SwitchableNetwork network)
        {
            ArgumentNullException.ThrowIfNull(network);
            return PrecisionReport.Create(network.Switches, new ReportBasis(network.DescribeLayers(), network.ParameterCount));
        }
    }
}
