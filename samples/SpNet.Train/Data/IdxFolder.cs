using Microsoft.ML.SwitchablePrecision.Data;

namespace SpNet.Train.Data;

/// <summary>
/// Finds and reads the four files of an MNIST-style IDX folder (train/t10k images and labels, plain or .gz) with
/// the library's <see cref="IdxReader"/>; every problem becomes a <see cref="DataSourceException"/> naming the file.
/// </summary>
internal static class IdxFolder
{
    /// <summary>The file-name stems of the four files, without the optional <c>.gz</c>.</summary>
    public static IReadOnlyList<string> FileStems { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Reads the training part (<c>train-*</c>) or the test part (<c>t10k-*</c>) of <paramref name="folder"/>.</summary>
    public static IdxGreyImages Read(string folder, bool train)
    {
        string prefix = train ? "train" : "t10k";
        string imagesPath = Find(folder, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Find(folder, $"{prefix}-labels-idx1-ubyte");
        var images = ReadFile(imagesPath);
        var labels = ReadFile(labelsPath);
        if (images.Dimensions.Count != 3)
            throw new DataSourceException($"'{imagesPath}' has {images.Dimensions.Count} dimensions: expected 3 (count, rows, columns).");
        if (labels.Dimensions.Count != 1)
            throw new DataSourceException($"'{labelsPath}' has {labels.Dimensions.Count} dimensions: expected 1 (one label per image).");
        if (labels.Count != images.Count)
            throw new DataSourceException(
                $"'{labelsPath}' holds {labels.Count} labels but '{imagesPath}' holds {images.Count} images: expected one label per image.");
        return new IdxGreyImages(images.Values, labels.Values, images.Dimensions[1], images.Dimensions[2]);
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

    private static IdxArray ReadFile(string path)
    {
        try
        {
            return IdxReader.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataSourceException(e.Message, e);
        }
    }
}
