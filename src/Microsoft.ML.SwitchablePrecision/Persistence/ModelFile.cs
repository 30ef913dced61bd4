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
/// <remarks>
/// Reading trusts no declared size before checking it against a real one, so a small hostile file cannot make it
/// allocate much more than the file holds: the payload length must equal the bytes that follow the header; the
/// metadata length must fit in the payload; every metadata field is bounded (<see cref="ModelMetadata.ToNetworkOptions"/>);
/// a lower bound of the described network's weights must fit in the payload before the network is built, and its
/// exact serialised size must equal the payload before any weight is read. The checksum is computed while streaming
/// before anything is parsed, without holding a copy of the payload.
/// </remarks>
internal static class ModelFile
{
    /// <summary>
    /// The format this build writes; it reads this version and older ones. Version 2 stores the training recipe and
    /// columns as records (<see cref="ModelMetadata.Training"/>, <see cref="ModelMetadata.Columns"/>) instead of the
    /// text settings of version 1.
    /// </summary>
    public const int CurrentVersion = 2;

    private const int HashBytes = 32;
    private const int MaxMetadataBytes = 16 << 20;
    private static readonly byte[] Magic = "SPNETMDL"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(allowIntegerValues: false) } };

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
        try
        {
            if (!source.CanSeek) source = BufferedCopy(source);
            var (length, expectedHash) = ReadHeader(source);
            long start = source.Position;
            long available = source.Length - start;
            if (available < length)
                throw new InvalidDataException($"The model is truncated: {available} of {length} payload bytes present.");
            if (available > length)
                throw new InvalidDataException($"The model has {available - length} bytes after its {length}-byte payload.");
            if (!HashMatches(source, length, expectedHash))
                throw new InvalidDataException("The model is corrupted: its checksum does not match.");
            source.Position = start;
            return ReadPayload(source, length);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model is truncated.", e);
        }
    }

    private static bool HashMatches(Stream source, long length, byte[] expected)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 16];
        for (long remaining = length; remaining > 0;)
        {
            int n = source.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
            if (n == 0) throw new EndOfStreamException();
            hash.AppendData(chunk, 0, n);
            remaining -= n;
        }
        return hash.GetHashAndReset().AsSpan().SequenceEqual(expected);
    }

    // Rarely needed (ML.NET hands over a file or memory stream): the copy grows with the bytes that really arrive.
    private static MemoryStream BufferedCopy(Stream source)
    {
        var copy = new MemoryStream();
        source.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    private static (long Length, byte[] Hash) ReadHeader(Stream source)
    {
        var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException("The data is not a switchable-precision model (wrong signature).");
        int version = reader.ReadInt32();
        if (version > CurrentVersion)
            throw new InvalidDataException(
                $"The model was written in format version {version}; this build of Microsoft.ML.SwitchablePrecision reads up to version {CurrentVersion}. Update the library.");
        if (version < 1) throw new InvalidDataException($"The model's format version {version} is invalid.");
        long length = reader.ReadInt64();
        if (length <= sizeof(int))
            throw new InvalidDataException($"The model's payload length {length} is invalid.");
        var hash = reader.ReadBytes(HashBytes);
        if (hash.Length != HashBytes) throw new EndOfStreamException();
        return (length, hash);
    }

    // The whole payload is known to be present (length checked against the stream), so every read below is bounded
    // by the real size of the data.
    private static (ModelMetadata, SwitchableNetwork) ReadPayload(Stream source, long length)
    {
        long start = source.Position;
        using var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        int jsonLength = reader.ReadInt32();
        if (jsonLength is <= 0 or > MaxMetadataBytes || jsonLength > length - sizeof(int))
            throw new InvalidDataException($"The model's metadata length {jsonLength} is invalid (payload {length} bytes).");
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
        var options = metadata.ToNetworkOptions();
        long weightBytes = length - sizeof(int) - jsonLength;
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
