using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The envelope of every file part this library writes: 8-byte magic, int32 format version, int64 payload length,
/// SHA-256 of the payload, the payload. Reading checks the signature, the version, that exactly the declared payload
/// follows (a shorter part is truncated, a longer one has trailing bytes) and the checksum (streamed in 64 KiB
/// chunks, no copy held) before anything of the payload is parsed.
/// </summary>
/// <param name="Magic">The part's 8-byte signature.</param>
/// <param name="CurrentVersion">The version this build writes; it reads it and every older one from 1.</param>
/// <param name="Subject">How messages name the part, for example "The model".</param>
/// <param name="Kind">What a part with another signature is not, for example "a switchable-precision model".</param>
internal sealed record ChecksummedBlock(byte[] Magic, int CurrentVersion, string Subject, string Kind)
{
    private const int HashBytes = 32;

    /// <summary>Bytes before the payload.</summary>
    public int HeaderLength => Magic.Length + sizeof(int) + sizeof(long) + HashBytes;

    /// <summary>Writes the header of <paramref name="payload"/> at <see cref="CurrentVersion"/>, then the payload.</summary>
    public void Write(Stream destination, ReadOnlySpan<byte> payload)
    {
        using var header = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        header.Write(Magic);
        header.Write(CurrentVersion);
        header.Write((long)payload.Length);
        header.Write(SHA256.HashData(payload));
        header.Write(payload);
    }

    /// <summary>
    /// Checks the header and the whole payload of <paramref name="source"/> (seekable), and leaves it at the payload's
    /// first byte.
    /// </summary>
    /// <returns>The payload length and the part's format version.</returns>
    /// <exception cref="InvalidDataException">Another kind of data, a newer version, or a truncated, longer or corrupted part.</exception>
    public (long Length, int Version) Open(Stream source)
    {
        try
        {
            var (length, version, expectedHash) = ReadHeader(source);
            long start = source.Position;
            long available = source.Length - start;
            if (available < length)
                throw new InvalidDataException($"{Subject} is truncated: {available} of {length} payload bytes present.");
            if (available > length)
                throw new InvalidDataException($"{Subject} has {available - length} bytes after its {length}-byte payload.");
            if (!HashMatches(source, length, expectedHash))
                throw new InvalidDataException($"{Subject} is corrupted: its checksum does not match.");
            source.Position = start;
            return (length, version);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{Subject} is truncated.", e);
        }
    }

    private (long Length, int Version, byte[] Hash) ReadHeader(Stream source)
    {
        var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"The data is not {Kind} (wrong signature).");
        int version = reader.ReadInt32();
        if (version > CurrentVersion)
            throw new InvalidDataException(
                $"{Subject} was written in format version {version}; this build of Microsoft.ML.SwitchablePrecision reads up to version {CurrentVersion}. Update the library.");
        if (version < 1) throw new InvalidDataException($"{Subject}'s format version {version} is invalid.");
        long length = reader.ReadInt64();
        if (length <= sizeof(int))
            throw new InvalidDataException($"{Subject}'s payload length {length} is invalid.");
        var hash = reader.ReadBytes(HashBytes);
        if (hash.Length != HashBytes) throw new EndOfStreamException();
        return (length, version, hash);
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
}
