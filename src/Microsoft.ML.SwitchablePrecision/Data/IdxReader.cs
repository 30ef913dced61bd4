using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.SwitchablePrecision.Data;

/// <summary>
/// Reads IDX files of unsigned bytes (the MNIST / Fashion-MNIST format) with one dimension (labels) or three
/// (images). Plain and gzip-compressed files are both accepted; gzip is recognised by its magic bytes, not by the
/// file name. Every error names the file and says what was expected.
/// </summary>
public static class IdxReader
{
    /// <summary>The IDX type code of unsigned bytes, the only element type supported.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>The largest number of values a file may declare (the largest .NET byte array).</summary>
    public const long MaxValues = 0x7FFFFFC7;

    private const int ChunkSize = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header or the data is not a valid 1- or 3-dimensional unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX file from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">The header or the data is not a valid 1- or 3-dimensional unsigned-byte IDX file.</exception>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> gzipMagic = stackalloc byte[2];
        int magicRead = ReadFully(stream, gzipMagic);
        using var source = new PrefixedStream(gzipMagic[..magicRead].ToArray(), stream);
        bool isGzip = magicRead == 2 && gzipMagic[0] == 0x1F && gzipMagic[1] == 0x8B;
        using Stream content = isGzip ? new GZipStream(source, CompressionMode.Decompress) : new BufferedStream(source);
        try
        {
            return ReadContent(content, name);
        }
        catch (InvalidDataException e) when (isGzip && !e.Message.Contains(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"IDX file '{name}' is not a valid gzip stream: {e.Message}", e);
        }
    }

    private static IdxArray ReadContent(Stream content, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(content, magic) < 4)
            throw new InvalidDataException($"IDX file '{name}' is too short to hold the 4-byte magic number.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(
                $"IDX file '{name}' has magic number 0x{Convert.ToHexString(magic)}; expected 0x0000 followed by a type and a dimension count (0x00000801 for labels, 0x00000803 for images).");
        if (magic[2] != UnsignedByteType)
            throw new InvalidDataException(
                $"IDX file '{name}' holds element type 0x{magic[2]:X2}; only unsigned bytes (0x{UnsignedByteType:X2}) are supported.");
        int rank = magic[3];
        if (rank is not (1 or 3))
            throw new InvalidDataException($"IDX file '{name}' has {rank} dimensions; expected 1 (labels) or 3 (images).");

        Span<byte> header = stackalloc byte[4 * rank];
        if (ReadFully(content, header) < header.Length)
            throw new InvalidDataException($"IDX file '{name}' ends inside its header: {rank} dimension sizes of 4 bytes expected.");
        var dimensions = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 * i, 4));
            if (size == 0 || size > int.MaxValue)
                throw new InvalidDataException($"IDX file '{name}' declares dimension {i} of size {size}; expected 1 to {int.MaxValue}.");
            dimensions[i] = (int)size;
            total = Math.Min(total * size, MaxValues + 1);
        }
        if (total > MaxValues)
            throw new InvalidDataException(
                $"IDX file '{name}' declares dimensions {string.Join("x", dimensions)}, more than {MaxValues} values: the header is corrupt.");

        var values = ReadValues(content, total, name, dimensions);
        if (content.ReadByte() >= 0)
            throw new InvalidDataException(
                $"IDX file '{name}' has data after the {total} values its header ({string.Join("x", dimensions)}) declares.");
        return new IdxArray(dimensions, values);
    }

    // The buffer grows with the data actually present, so a forged header cannot force a huge allocation.
    private static byte[] ReadValues(Stream content, long total, string name, int[] dimensions)
    {
        var values = new byte[Math.Min(total, ChunkSize)];
        long filled = 0;
        while (filled < total)
        {
            if (filled == values.LongLength)
                Array.Resize(ref values, (int)Math.Min(total, Math.Max(values.LongLength * 2, ChunkSize)));
            int read = content.Read(values, (int)filled, (int)(values.LongLength - filled));
            if (read == 0)
                throw new InvalidDataException(
                    $"IDX file '{name}' is truncated: its header ({string.Join("x", dimensions)}) declares {total} values but only {filled} follow.");
            filled += read;
        }
        return values;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0) break;
            total += read;
        }
        return total;
    }
}
