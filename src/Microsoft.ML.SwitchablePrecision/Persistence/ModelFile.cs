using System.Text;
using System.Text.Json;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The stored form of a trained switchable network: a versioned, checksummed block holding the metadata (JSON)
/// and every tensor. The runtime reads it into plans without TorchSharp (<see cref="Inference.Stored.StoredModel"/>);
/// the training assembly's <c>NetworkModelFile</c> reads it into a TorchSharp network. Layout: 8-byte magic <c>SPNETMDL</c>, int32 format version, int64 payload length,
/// SHA-256 of the payload, payload = int32 JSON length, UTF-8 JSON, tensors (<c>NetworkState</c>).
/// </summary>
/// <remarks>
/// Reading trusts no declared size before checking it against a real one, so a small hostile file cannot make it
/// allocate much more than the file holds: the payload length must equal the bytes that follow the header; the
/// metadata length must fit in the payload; every metadata field is bounded (<see cref="ModelMetadata.ToNetworkOptions"/>);
/// for the TorchSharp reader, a lower bound of the described network's weights must fit in the payload before the network is built, and its
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

    private const int MaxMetadataBytes = 16 << 20;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(allowIntegerValues: false) } };

    private static readonly ChecksummedBlock Block = new("SPNETMDL"u8.ToArray(), CurrentVersion, "The model", "a switchable-precision model");

    /// <summary>Writes <paramref name="metadata"/> and the network state <paramref name="writeState"/> writes (<c>NetworkState</c>'s stream) as one model.</summary>
    public static void Write(Stream destination, ModelMetadata metadata, Action<BinaryWriter> writeState)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            WriteMetadata(writer, metadata);
            writeState(writer);
        }
        Block.Write(destination, payload.GetBuffer().AsSpan(0, (int)payload.Length));
    }

    /// <summary>Checks the header and checksum of a model in <paramref name="source"/> and returns its payload length and format version, leaving the stream at the payload.</summary>
    /// <exception cref="InvalidDataException">The data is not a model of this library, is of a newer format, or is damaged.</exception>
    internal static (long Length, int Version) OpenBlock(Stream source) => Block.Open(source);

    /// <summary>The metadata JSON of <paramref name="reader"/>'s payload of <paramref name="length"/> bytes (its int32 length, then UTF-8), parsed.</summary>
    /// <exception cref="InvalidDataException">The length does not fit the payload or the JSON is not metadata.</exception>
    internal static ModelMetadata ReadMetadata(BinaryReader reader, long length, string subject = "The model")
    {
        int jsonLength = reader.ReadInt32();
        if (jsonLength is <= 0 or > MaxMetadataBytes || jsonLength > length - sizeof(int))
            throw new InvalidDataException($"{subject}'s metadata length {jsonLength} is invalid (payload {length} bytes).");
        try
        {
            return JsonSerializer.Deserialize<ModelMetadata>(reader.ReadBytes(jsonLength), Json)
                ?? throw new InvalidDataException($"{subject}'s metadata is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{subject}'s metadata is not valid: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="metadata"/> as the payload's int32 length and UTF-8 JSON.</summary>
    internal static void WriteMetadata(BinaryWriter writer, ModelMetadata metadata)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(metadata, Json);
        writer.Write(json.Length);
        writer.Write(json);
    }

    // Rarely needed (ML.NET hands over a file or memory stream): the copy grows with the bytes that really arrive.
    internal static MemoryStream BufferedCopy(Stream source)
    {
        var copy = new MemoryStream();
        source.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }
}
