namespace Microsoft.ML.SwitchablePrecision.Data;

/// <summary>
/// Loads Fashion-MNIST (Zalando Research, MIT licence) from a folder holding its four IDX files under their
/// original names (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>), each plain or with a <c>.gz</c> suffix.
/// </summary>
public static class FashionMnist
{
    /// <summary>Image side in pixels.</summary>
    public const int ImageSide = 28;

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Reads the training (<paramref name="train"/> true) or test split from <paramref name="folder"/>: pixels as
    /// floats 0..255 in (N, 1, 28, 28) order, labels 0..9, with <see cref="ClassNames"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">An image or label file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, images are not 28x28, labels are not 0..9, or the counts differ.</exception>
    public static ImageDataset Load(string folder, bool train)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Fashion-MNIST folder '{folder}' does not exist.");
        string prefix = train ? "train" : "t10k";
        string imagePath = FindFile(folder, $"{prefix}-images-idx3-ubyte");
        string labelPath = FindFile(folder, $"{prefix}-labels-idx1-ubyte");

        var images = IdxReader.Read(imagePath);
        if (images.Dimensions.Count != 3 || images.Dimensions[1] != ImageSide || images.Dimensions[2] != ImageSide)
            throw new InvalidDataException(
                $"IDX file '{imagePath}' holds items of {string.Join("x", images.Dimensions.Skip(1))}; expected {ImageSide}x{ImageSide} images.");
        var labels = IdxReader.Read(labelPath);
        if (labels.Dimensions.Count != 1)
            throw new InvalidDataException(
                $"IDX file '{labelPath}' has {labels.Dimensions.Count} dimensions; a label file has 1.");
        if (labels.Count != images.Count)
            throw new InvalidDataException(
                $"IDX file '{labelPath}' holds {labels.Count} labels but '{imagePath}' holds {images.Count} images; the counts must match.");

        var classes = new int[labels.Count];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = labels.Values[i];
            if (classes[i] >= ClassNames.Count)
                throw new InvalidDataException(
                    $"IDX file '{labelPath}' gives image {i} label {classes[i]}; expected 0 to {ClassNames.Count - 1}.");
        }
        var pixels = new float[images.Values.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images.Values[i];
        return new ImageDataset(pixels, classes, 1, ImageSide, ImageSide, ClassNames.Count, ClassNames);
    }

    private static string FindFile(string folder, string baseName)
    {
        foreach (var candidate in new[] { baseName, baseName + ".gz" })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        string expected = Path.Combine(folder, baseName);
        throw new FileNotFoundException($"Fashion-MNIST file '{expected}' (or '{expected}.gz') does not exist.", expected);
    }
}
