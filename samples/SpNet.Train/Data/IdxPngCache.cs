using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SkiaSharp;

namespace SpNet.Train.Data;

/// <summary>
/// Turns an IDX folder into a folder of PNG files, <c>train/&lt;class&gt;/*.png</c> and <c>test/&lt;class&gt;/*.png</c>,
/// so the pipeline reads images from disk through ML.NET's ImageAnalytics like any user's own images.
/// The cache is written once into a temporary sibling folder and renamed into place when complete, so an
/// interrupted run never leaves a half cache behind; a complete cache is reused.
/// </summary>
internal static class IdxPngCache
{
    /// <summary>Name of the file, written last, that lists how many images each part holds.</summary>
    public const string ManifestFileName = "cache-complete.txt";

    private const string PartialMarker = ".partial-";

    /// <summary>
    /// Returns the cache folder for <paramref name="idxFolder"/> under <paramref name="cacheRoot"/>, writing it
    /// first if it is missing or incomplete. <paramref name="written"/> tells whether it was (re)written.
    /// </summary>
    public static string Ensure(string idxFolder, string cacheRoot, IReadOnlyList<string> classNames, out bool written)
    {
        var files = IdxFolder.RequireFiles(idxFolder);
        string target = Path.Combine(Path.GetFullPath(cacheRoot), CacheName(idxFolder, files));
        written = false;
        if (IsComplete(target)) return target;

        Directory.CreateDirectory(cacheRoot);
        RemoveLeftovers(target);
        string partial = target + PartialMarker + Guid.NewGuid().ToString("N");
        try
        {
            var manifest = new StringBuilder();
            foreach (bool train in new[] { true, false })
            {
                var images = IdxFolder.Read(idxFolder, train);
                string part = train ? "train" : "test";
                WritePart(images, Path.Combine(partial, part), classNames, idxFolder);
                manifest.Append(CultureInfo.InvariantCulture, $"{part} {images.Count}\n");
            }
            File.WriteAllText(Path.Combine(partial, ManifestFileName), manifest.ToString());
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(partial, target);
            written = true;
            return target;
        }
        finally
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        }
    }

    /// <summary>True when <paramref name="folder"/> holds a manifest and exactly the number of PNG files it lists.</summary>
    public static bool IsComplete(string folder)
    {
        string manifest = Path.Combine(folder, ManifestFileName);
        if (!File.Exists(manifest)) return false;
        foreach (string line in File.ReadAllLines(manifest))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int expected))
                return false;
            string part = Path.Combine(folder, fields[0]);
            int found = Directory.Exists(part) ? Directory.EnumerateFiles(part, "*.png", SearchOption.AllDirectories).Count() : 0;
            if (found != expected) return false;
        }
        return true;
    }

    private static void WritePart(IdxGreyImages images, string folder, IReadOnlyList<string> classNames, string source)
    {
        foreach (string name in classNames) Directory.CreateDirectory(Path.Combine(folder, name));
        int size = images.Height * images.Width;
        var info = new SKImageInfo(images.Width, images.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        for (int i = 0; i < images.Count; i++)
        {
            int label = images.Labels[i];
            if (label >= classNames.Count)
                throw new DataSourceException(
                    $"Image {i} in '{source}' has label {label}: expected 0..{classNames.Count - 1} ({classNames.Count} classes).");
            System.Runtime.InteropServices.Marshal.Copy(images.Pixels, i * size, bitmap.GetPixels(), size);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            string path = Path.Combine(folder, classNames[label], i.ToString("D5", CultureInfo.InvariantCulture) + ".png");
            using var file = File.Create(path);
            data.SaveTo(file);
        }
    }

    // Sources are told apart by their full path and file sizes, so --data on two folders never shares a cache.
    private static string CacheName(string idxFolder, IReadOnlyList<string> files)
    {
        var key = new StringBuilder(Path.GetFullPath(idxFolder));
        foreach (string file in files) key.Append('|').Append(new FileInfo(file).Length);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..10];
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(idxFolder)));
        return $"{name}-{hash}";
    }

    // A run killed while writing leaves a partial folder; it is never read, only cleared here.
    private static void RemoveLeftovers(string target)
    {
        string? parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent)) return;
        foreach (string dir in Directory.EnumerateDirectories(parent, Path.GetFileName(target) + PartialMarker + "*"))
            Directory.Delete(dir, recursive: true);
    }
}
