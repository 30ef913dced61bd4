namespace SpNet.Serve.LoadTest;

/// <summary>An encoded image the load test sends, with its class (the name of its folder).</summary>
internal sealed record LabelledImage(byte[] Bytes, string Label)
{
    /// <summary>
    /// Up to <paramref name="count"/> images under <paramref name="folder"/> in class sub-folders, e.g. the
    /// <c>test/</c> PNG cache SpNet.Train writes beside model.zip.
    /// </summary>
    public static IReadOnlyList<LabelledImage> FromFolder(string folder, int count = 200)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        var files = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories)
            .Where(f => !string.Equals(Path.GetFullPath(Path.GetDirectoryName(f)!), Path.GetFullPath(folder), StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Take(count).ToArray();
        if (files.Length == 0)
            throw new FileNotFoundException($"Image folder '{folder}' holds no PNG images in class sub-folders (expected <class>/<image>.png).");
        return files.Select(f => new LabelledImage(File.ReadAllBytes(f), Path.GetFileName(Path.GetDirectoryName(f)!))).ToArray();
    }
}
