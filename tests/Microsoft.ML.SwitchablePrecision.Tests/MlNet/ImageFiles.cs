using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Data;
using SkiaSharp;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>One row of the image-file tables the ML.NET tests read: an absolute PNG path and its class name.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";

    public string Label { get; set; } = "";
}

/// <summary>Writes real Fashion-MNIST images as PNG files, as a user's image folder would hold them.</summary>
internal static class ImageFiles
{
    public static List<ImageRow> Write(ImageDataset data, string folder)
    {
        Directory.CreateDirectory(folder);
        var rows = new List<ImageRow>(data.Count);
        for (int i = 0; i < data.Count; i++)
        {
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{i:D5}-class{data.Labels[i]}.png"));
            WritePng(data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize), data.Width, data.Height, path);
            rows.Add(new ImageRow { ImagePath = path, Label = data.ClassNames[data.Labels[i]] });
        }
        return rows;
    }

    public static void WriteTable(IEnumerable<ImageRow> rows, string path) =>
        File.WriteAllLines(path, rows.Select(r => $"{r.ImagePath}\t{r.Label}"));

    private static void WritePng(ReadOnlySpan<float> grey, int width, int height, string path)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = new byte[width * height];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(grey[i], 0, 255);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }
}
