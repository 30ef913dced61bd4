using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

/// <summary>A temporary folder deleted on dispose, plus writers for the small files the sample tests need.</summary>
internal sealed class SampleFiles : IDisposable
{
    public SampleFiles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "spnet-samples-" + Guid.NewGuid().ToString("N"));

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    /// <summary>Writes a grey PNG whose pixel (x, y) is <c>(seed + 7x + 13y) mod 256</c>.</summary>
    public string WriteGreyPng(string relativePath, int width = 8, int height = 8, int seed = 0) =>
        WritePng(relativePath, width, height, SKColorType.Gray8, (x, y) => (byte)(seed + 7 * x + 13 * y));

    /// <summary>Writes an RGBA PNG with distinct red and blue channels.</summary>
    public string WriteColourPng(string relativePath, int width = 8, int height = 8)
    {
        string path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(20 * x), 40, (byte)(20 * y)));
        Save(bitmap, path);
        return path;
    }

    public string WriteText(string relativePath, string text)
    {
        string path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes an IDX image file and label file (gzip-compressed) with the given prefix (train or t10k).</summary>
    public void WriteIdx(string folder, string prefix, byte[] pixels, byte[] labels, int height, int width)
    {
        string dir = PathOf(folder);
        Directory.CreateDirectory(dir);
        WriteGz(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), [0x803, labels.Length, height, width], pixels);
        WriteGz(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), [0x801, labels.Length], labels);
    }

    private static void WriteGz(string path, int[] header, byte[] body)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        Span<byte> word = stackalloc byte[4];
        foreach (int value in header)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, value);
            gz.Write(word);
        }
        gz.Write(body);
    }

    private string WritePng(string relativePath, int width, int height, SKColorType type, Func<int, int, byte> value)
    {
        string path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, SKAlphaType.Opaque));
        var pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                pixels[y * width + x] = value(x, y);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        Save(bitmap, path);
        return path;
    }

    private static void Save(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
