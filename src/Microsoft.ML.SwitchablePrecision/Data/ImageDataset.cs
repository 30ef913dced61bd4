namespace Microsoft.ML.SwitchablePrecision.Data;

/// <summary>
/// Labelled images held in memory as one contiguous array of pixels in (N, C, H, W) order, the layout of
/// ML.NET's <c>ExtractPixels</c> output and of TorchSharp's image tensors.
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Wraps <paramref name="pixels"/> and <paramref name="labels"/> (no copy).</summary>
    /// <exception cref="ArgumentException">Sizes do not agree, or a label is outside 0..classes-1.</exception>
    public ImageDataset(float[] pixels, int[] labels, int channels, int height, int width, int classes,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        long imageSize = (long)channels * height * width;
        if (pixels.LongLength != imageSize * labels.Length)
            throw new ArgumentException(
                $"Pixel array holds {pixels.LongLength} values; {labels.Length} images of {channels}x{height}x{width} need {imageSize * labels.Length}.",
                nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside 0..{classes - 1}.", nameof(labels));
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException($"{classNames.Count} class names given for {classes} classes.", nameof(classNames));
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        ClassNames = classNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Pixels of all images, (N, C, H, W) order.</summary>
    public float[] Pixels { get; }

    /// <summary>Class index of each image, 0..<see cref="Classes"/>-1.</summary>
    public int[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Name of each class.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Values per image: C * H * W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>A new dataset holding copies of the images at <paramref name="indices"/>, in that order.</summary>
    public ImageDataset Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var pixels = new float[(long)indices.Count * ImageSize];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(Pixels, (long)indices[i] * ImageSize, pixels, (long)i * ImageSize, ImageSize);
            labels[i] = Labels[indices[i]];
        }
        return new ImageDataset(pixels, labels, Channels, Height, Width, Classes, ClassNames);
    }

    /// <summary>The first <paramref name="count"/> images (or all, if fewer).</summary>
    public ImageDataset Take(int count) => Select(Enumerable.Range(0, Math.Min(count, Count)).ToArray());
}
