using System.Buffers.Binary;
using System.IO.Compression;

namespace SpNet.Train.Data;

/// <summary>
/// Reads the four files of an MNIST-style IDX folder (train/t10k images and labels, gzip-compressed or not).
/// Every problem is reported as a <see cref="DataSourceException"/> naming the file.
/// </summary>
internal static class IdxFolder
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    /// <summary>The file-name stems of the four files, without the optional <c>.gz</c>.</summary>
    public static IReadOnlyList<string> FileStems { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Reads the training part (<c>train-*</c>) or the test part (<c>t10k-*</c>) of <paramref name="folder"/>.</summary>
    public static IdxGreyImages Read(string folder, bool train)
    {
        string prefix = train ? "train" : "t10k";
        string imagesPath = Find(folder, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Find(folder, $"{prefix}-labels-idx1-ubyte");
        var (pixels, count, height, width) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new DataSourceException(
                $"'{labelsPath}' holds {labels.Length} labels but '{imagesPath}' holds {count} images: expected one label per image.");
        return new IdxGreyImages(pixels, labels, height, width);
    }

    /// <summary>Checks that <paramref name="folder"/> exists and holds all four files; returns their full paths.</summary>
    public static IReadOnlyList<string> RequireFiles(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DataSourceException(
                $"Data folder '{folder}' does not exist: expected a folder holding the four IDX files {string.Join(", ", FileStems)} (optionally .gz).");
        return FileStems.Select(stem => Find(folder, stem)).ToArray();
    }

    private static string Find(string folder, string stem)
    {
        foreach (string name in new[] { stem + ".gz", stem })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path)) return Path.GetFullPath(path);
        }
        throw new DataSourceException(
            $"Data folder '{folder}' has no '{stem}.gz' (nor '{stem}'): expected the four IDX files {string.Join(", ", FileStems)}.");
    }

    private static (byte[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        using var stream = Open(path);
        int[] header = ReadHeader(stream, path, ImagesMagic, 4);
        int count = header[1], height = header[2], width = header[3];
        if (count < 0 || height < 1 || width < 1)
            throw new DataSourceException($"'{path}' declares {count} images of {height}x{width}: expected positive sizes.");
        var pixels = new byte[checked((long)count * height * width)];
        ReadExactly(stream, pixels, path);
        return (pixels, count, height, width);
    }

    private static byte[] ReadLabels(string path)
    {
        using var stream = Open(path);
        int count = ReadHeader(stream, path, LabelsMagic, 2)[1];
        if (count < 0) throw new DataSourceException($"'{path}' declares {count} labels: expected a positive count.");
        var labels = new byte[count];
        ReadExactly(stream, labels, path);
        return labels;
    }

    private static Stream Open(string path)
    {
        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16)
            : file;
    }

    private static int[] ReadHeader(Stream stream, string path, int magic, int fields)
    {
        var bytes = new byte[fields * 4];
        ReadExactly(stream, bytes.AsMemory(0, 4), path);
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
            throw new DataSourceException($"'{path}' starts with 0x{found:X8}: expected the IDX magic number 0x{magic:X8}.");
        ReadExactly(stream, bytes.AsMemory(4), path);
        var values = new int[fields];
        for (int i = 0; i < fields; i++) values[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * 4));
        return values;
    }

    private static void ReadExactly(Stream stream, Memory<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer.Span);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new DataSourceException($"'{path}' is truncated or not a valid IDX file: {e.Message}", e);
        }
    }
}
