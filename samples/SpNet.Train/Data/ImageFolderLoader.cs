using SkiaSharp;

namespace SpNet.Train.Data;

/// <summary>
/// Loads Model Builder's image layout: one sub-folder per class, named after the class, holding that class's
/// image files. When the folder instead holds <c>train</c> and <c>test</c> sub-folders of that layout they are
/// used as given; otherwise a stratified, seeded share of each class is held out for testing.
/// Hidden files (names starting with '.') are skipped; any other file must be a decodable image.
/// </summary>
internal static class ImageFolderLoader
{
    /// <summary>File extensions accepted as images.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Loads <paramref name="root"/>; <paramref name="testFraction"/> of each class is held out when no split is given.</summary>
    /// <exception cref="DataSourceException">The folder is missing, empty, or holds something other than class folders of images.</exception>
    public static ImageFolderSplit Load(string root, double testFraction = 0.2, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(testFraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(testFraction, 1.0);
        if (!Directory.Exists(root))
            throw new DataSourceException($"Image folder '{root}' does not exist: expected a folder of class sub-folders holding image files.");
        root = Path.GetFullPath(root);

        string? trainDir = FindChild(root, "train");
        string? testDir = FindChild(root, "test");
        if (trainDir is not null && testDir is not null && Directory.EnumerateDirectories(root).Count() == 2)
        {
            var (trainClasses, trainRows, trainGrey) = ReadClassFolders(trainDir);
            var (testClasses, testRows, testGrey) = ReadClassFolders(testDir, minimumClasses: 1);
            var unknown = testClasses.Except(trainClasses, StringComparer.Ordinal).ToArray();
            if (unknown.Length > 0)
                throw new DataSourceException(
                    $"Test folder '{testDir}' has classes that '{trainDir}' lacks: {string.Join(", ", unknown)}. Expected the same class folders in both.");
            return new ImageFolderSplit(root, trainClasses, trainRows, testRows, trainGrey && testGrey);
        }

        var (classes, rows, grey) = ReadClassFolders(root);
        var (train, test) = Split(rows, testFraction, seed);
        return new ImageFolderSplit(root, classes, train, test, grey);
    }

    private static (IReadOnlyList<string> Classes, List<ImageRow> Rows, bool Grey) ReadClassFolders(string folder, int minimumClasses = 2)
    {
        var stray = Visible(Directory.EnumerateFiles(folder)).FirstOrDefault();
        if (stray is not null)
            throw new DataSourceException(
                $"'{stray}' lies directly in '{folder}': expected only class sub-folders there, each holding the images of one class.");
        var classDirs = Visible(Directory.EnumerateDirectories(folder)).Order(StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new DataSourceException(
                $"Image folder '{folder}' holds no class sub-folders: expected one sub-folder per class, named after the class, holding its images.");
        if (classDirs.Length < minimumClasses)
            throw new DataSourceException(
                $"Image folder '{folder}' holds only the class folder '{Path.GetFileName(classDirs[0])}': expected at least two classes.");

        var rows = new List<ImageRow>();
        bool grey = true;
        foreach (string classDir in classDirs)
        {
            string label = Path.GetFileName(classDir);
            var nested = Visible(Directory.EnumerateDirectories(classDir)).FirstOrDefault();
            if (nested is not null)
                throw new DataSourceException($"Class folder '{classDir}' contains the folder '{Path.GetFileName(nested)}': expected only image files.");
            var files = Visible(Directory.EnumerateFiles(classDir)).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
                throw new DataSourceException($"Class folder '{classDir}' holds no images: every class needs at least one image file.");
            foreach (string file in files)
            {
                grey &= CheckImage(file);
                rows.Add(new ImageRow { ImagePath = file, Label = label });
            }
        }
        return (classDirs.Select(Path.GetFileName).ToArray()!, rows, grey);
    }

    // Returns whether the image is single-channel grey.
    private static bool CheckImage(string file)
    {
        string expected = $"expected image files ({string.Join(", ", ImageExtensions)}) inside class folders";
        if (!ImageExtensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
            throw new DataSourceException($"'{file}' is not an image file: {expected}.");
        using var codec = SKCodec.Create(file);
        if (codec is null)
            throw new DataSourceException($"'{file}' cannot be decoded as an image: {expected}.");
        return codec.Info.ColorType == SKColorType.Gray8;
    }

    private static (List<ImageRow> Train, List<ImageRow> Test) Split(List<ImageRow> rows, double testFraction, int seed)
    {
        var random = new Random(seed);
        var train = new List<ImageRow>();
        var test = new List<ImageRow>();
        foreach (var group in rows.GroupBy(r => r.Label, StringComparer.Ordinal))
        {
            var shuffled = group.ToArray();
            random.Shuffle(shuffled);
            int held = shuffled.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(shuffled.Length * testFraction));
            if (testFraction == 0) held = 0;
            test.AddRange(shuffled.Take(held));
            train.AddRange(shuffled.Skip(held));
        }
        return (train, test);
    }

    private static string? FindChild(string root, string name) =>
        Directory.EnumerateDirectories(root).FirstOrDefault(d => string.Equals(Path.GetFileName(d), name, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Visible(IEnumerable<string> paths) =>
        paths.Where(p => !Path.GetFileName(p).StartsWith('.'));
}
