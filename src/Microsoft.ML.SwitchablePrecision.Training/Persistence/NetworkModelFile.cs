using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// A full model file (<see cref="ModelFile"/>'s format) written from and read into a TorchSharp network. Reading trusts
/// no declared size: a lower bound of the described network's weights must fit in the payload before the network is
/// built, and its exact serialised size must equal the payload before any weight is read.
/// </summary>
internal static class NetworkModelFile
{
    /// <summary>Writes <paramref name="metadata"/> and every tensor of <paramref name="network"/>.</summary>
    public static void Write(Stream destination, ModelMetadata metadata, SwitchableNetwork network) =>
        ModelFile.Write(destination, metadata, writer => NetworkState.Write(network, writer));

    /// <summary>Reads the metadata and builds the network with its stored weights.</summary>
    /// <exception cref="InvalidDataException">The data is not a model of this library, is of a newer format, or is damaged.</exception>
    public static (ModelMetadata Metadata, SwitchableNetwork Network) Read(Stream source)
    {
        try
        {
            if (!source.CanSeek) source = ModelFile.BufferedCopy(source);
            var (length, _) = ModelFile.OpenBlock(source);
            return ReadPayload(source, length);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model is truncated.", e);
        }
    }

    // The whole payload is known to be present (length checked against the stream), so every read below is bounded
    // by the real size of the data.
    private static (ModelMetadata, SwitchableNetwork) ReadPayload(Stream source, long length)
    {
        long start = source.Position;
        using var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        var metadata = ModelFile.ReadMetadata(reader, length);
        var options = metadata.ToNetworkOptions();
        long weightBytes = length - (source.Position - start);
        long minimum = NetworkFactory.MinimumWeightBytes(options);
        if (minimum > weightBytes)
            throw new InvalidDataException(
                $"The model's metadata describes a network of at least {minimum} bytes of weights, but its payload holds {weightBytes} bytes after the metadata.");
        var network = NetworkFactory.Create(options);
        try
        {
            long needed = NetworkState.SerializedLength(network);
            if (needed != weightBytes)
                throw new InvalidDataException(
                    $"The model's payload holds {weightBytes} bytes of weights; the network its metadata describes stores {needed}.");
            NetworkState.Read(network, reader);
            if (source.Position - start != length)
                throw new InvalidDataException("The model's weights do not end where its payload ends.");
            network.ActivePrecision = metadata.ActivePrecisionValue;
            return (metadata, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
