using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The stored form of a trained switchable network: a versioned, checksummed block holding the metadata (JSON)
/// and every tensor. Layout: 8-byte magic <c>SPNETMDL</c>, int32 format version, int64 payload length,
/// SHA-256 of the payload, payload = int32 JSON length, UTF-8 JSON, tensors (<see cref="NetworkState"/>).
/// </summary>
internal static class ModelFile
{
    /// <summary>The format this build writes; it reads this version and older ones.</summary>
    public const int CurrentVersion = 1;

    private const long MaxPayloadBytes = int.MaxValue - 64;
    private const int MaxMetadataBytes = 16 << 20;
    private static readonly byte[] Magic = "SPNETMDL"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Write(Stream destination, ModelMetadata metadata, SwitchableNetwork network)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(metadata, Json);
            writer.Write(json.Length);
            writer.Write(json);
            NetworkState.Write(network, writer);
        }
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var header = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        header.Write(Magic);
        header.Write(CurrentVersion);
        header.Write((long)bytes.Length);
        header.Write(SHA256.HashData(bytes));
        header.Write(bytes);
    }

    /// <summary>Reads the metadata and builds the network with its stored weights.</summary>
    /// <exception cref="InvalidDataException">The data is not a model of this library, is of a newer format, or is damaged.</exception>
    public static (ModelMetadata Metadata, SwitchableNetwork Network) Read(Stream source)
    {
        using var header = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        var payload = ReadPayload(header);
        using var reader = new BinaryReader(payload, Encoding.UTF8);
        int jsonLength = reader.ReadInt32();
        if (jsonLength is <= 0 or > MaxMetadataBytes || jsonLength > payload.Length - payload.Position)
            throw new InvalidDataException($"The model's metadata length {jsonLength} is invalid.");
        ModelMetadata metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ModelMetadata>(reader.ReadBytes(jsonLength), Json)
                ?? throw new InvalidDataException("The model's metadata is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The model's metadata is not valid: {e.Message}", e);
        }
        SwitchableNetwork network;
        try
        {
            network = NetworkFactory.Create(metadata.ToNetworkOptions());
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The model describes a network this build cannot create: {e.Message}", e);
        }
        try
        {
            NetworkState.Read(network, reader);
            if (payload.Position != payload.Length)
                throw new InvalidDataException("The model's weights have trailing data.");
            network.ActivePrecision = metadata.ActivePrecisionValue;
            return (metadata, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static MemoryStream ReadPayload(BinaryReader header)
    {
        try
        {
            var magic = header.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException("The data is not a switchable-precision model (wrong signature).");
            int version = header.ReadInt32();
            if (version > CurrentVersion)
                throw new InvalidDataException(
                    $"The model was written in format version {version}; this build of Microsoft.ML.SwitchablePrecision reads up to version {CurrentVersion}. Update the library.");
            if (version < 1) throw new InvalidDataException($"The model's format version {version} is invalid.");
            long length = header.ReadInt64();
            if (length is <= 0 or > MaxPayloadBytes)
                throw new InvalidDataException($"The model's payload length {length} is invalid.");
            var expectedHash = header.ReadBytes(32);
            // Grow with the bytes that really arrive, so a forged length cannot force a large allocation.
            var payload = new MemoryStream();
            var chunk = new byte[1 << 16];
            long remaining = length;
            while (remaining > 0)
            {
                int n = header.BaseStream.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
                if (n == 0) throw new InvalidDataException($"The model is truncated: {length - remaining} of {length} payload bytes present.");
                payload.Write(chunk, 0, n);
                remaining -= n;
            }
            if (!SHA256.HashData(payload.GetBuffer().AsSpan(0, (int)payload.Length)).AsSpan().SequenceEqual(expectedHash))
                throw new InvalidDataException("The model is corrupted: its checksum does not match.");
            payload.Position = 0;
            return payload;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model is truncated.", e);
        }
    }
}
