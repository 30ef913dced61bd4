using System.IO.Compression;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// A part of a payload stored Brotli-compressed (quality 11, 4 MiB window): int32 length of the original bytes, then the
/// compressed stream to the end of the payload. Compact models use it because the .zip's deflate, coding a float plane
/// and the next with one table per block, leaves several kilobytes of their float values on the table (measured in
/// docs/results/deployment/README.md). Reading allocates at most <see cref="MaxExpansion"/> times the compressed size.
/// </summary>
internal static class CompressedBody
{
    /// <summary>Largest accepted ratio of original to compressed bytes; a compact model's plans compress less than 2 to 1.</summary>
    public const int MaxExpansion = 64;

    private const int Quality = 11, Window = 22;

    public static void Write(BinaryWriter writer, ReadOnlySpan<byte> body)
    {
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(body.Length)];
        if (!BrotliEncoder.TryCompress(body, compressed, out int written, Quality, Window))
            throw new InvalidOperationException("Brotli could not compress the compact model's plans.");
        writer.Write(body.Length);
        writer.Write(compressed, 0, written);
    }

    /// <summary>The original bytes of the compressed part that fills <paramref name="payload"/> from <paramref name="offset"/>.</summary>
    /// <exception cref="InvalidDataException">The declared length is out of range, or the stream is not Brotli or does not give exactly that many bytes.</exception>
    public static byte[] Read(byte[] payload, int offset, string subject)
    {
        int stored = payload.Length - offset - sizeof(int);
        if (stored <= 0) throw new InvalidDataException($"{subject} ends before its compressed plans.");
        int length = BitConverter.ToInt32(payload, offset);
        if (length <= 0 || length > (long)MaxExpansion * stored + (1 << 16))
            throw new InvalidDataException($"{subject}'s compressed plans declare {length} bytes from {stored} compressed bytes; expected 1 to {(long)MaxExpansion * stored + (1 << 16)}.");
        var body = new byte[length];
        var source = payload.AsSpan(offset + sizeof(int));
        using var decoder = new BrotliDecoder();
        var status = decoder.Decompress(source, body, out int consumed, out int written);
        if (status != System.Buffers.OperationStatus.Done || consumed != source.Length || written != length)
            throw new InvalidDataException(
                $"{subject}'s compressed plans are damaged: they do not decompress to exactly the declared {length} bytes (Brotli: {status}, {written} bytes from {consumed} of {source.Length}).");
        return body;
    }
}
