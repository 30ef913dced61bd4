using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void TrainingSubsetHas600ImagesOfEveryClass()
    {
        var train = SubsetData.Train;
        Assert.Equal(6000, train.Count);
        Assert.Equal((1, 28, 28, 10), (train.Channels, train.Height, train.Width, train.Classes));
        Assert.Equal(6000 * 784, train.Pixels.Length);
        Assert.All(train.Labels.GroupBy(l => l), g => Assert.Equal(600, g.Count()));
        Assert.Equal(10, train.Labels.Distinct().Count());
    }

    [Fact]
    public void TestSubsetHas100ImagesOfEveryClass()
    {
        var test = SubsetData.Test;
        Assert.Equal(1000, test.Count);
        Assert.All(test.Labels.GroupBy(l => l), g => Assert.Equal(100, g.Count()));
    }

    [Fact]
    public void PixelsAndLabelsMatchValuesReadIndependentlyFromTheFiles()
    {
        // Values read from the gzip files with a separate script: labels of the first ten images, and pixels at
        // (image, row, column).
        var train = SubsetData.Train;
        Assert.Equal(new[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, train.Labels[..10]);
        Assert.Equal(217f, train.Pixels[14 * 28 + 14]);
        Assert.Equal(184f, train.Pixels[5 * 784 + 10 * 28 + 20]);
        Assert.Equal(76247.0, train.Pixels.AsSpan(0, 784).ToArray().Sum(p => (double)p));

        var test = SubsetData.Test;
        Assert.Equal(new[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, test.Labels[..10]);
        Assert.Equal(71f, test.Pixels[3 * 784 + 7 * 28 + 9]);
        Assert.InRange(train.Pixels.Max(), 250f, 255f);
        Assert.Equal(0f, train.Pixels.Min());
    }

    [Fact]
    public void ClassNamesAreTheTenFashionMnistClasses()
    {
        Assert.Equal(
            new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" },
            SubsetData.Train.ClassNames);
    }

    [Fact]
    public void MissingFolderAndMissingFilesAreNamed()
    {
        using var temp = new TempFolder();
        string absent = Path.Combine(temp.Path, "absent");
        var noFolder = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(absent, train: true));
        Assert.Contains(absent, noFolder.Message);

        var noFile = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(temp.Path, train: false));
        Assert.Contains("t10k-images-idx3-ubyte", noFile.Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchIsReported()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(Path.Combine(temp.Path, "train-images-idx3-ubyte"), IdxBytes.Build([3, 28, 28], new byte[3 * 784]));
        File.WriteAllBytes(Path.Combine(temp.Path, "train-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Build([2], [1, 2])));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(temp.Path, train: true));
        Assert.Contains("holds 2 labels", e.Message);
        Assert.Contains("holds 3 images", e.Message);
    }

    [Fact]
    public void WrongImageSizeAndOutOfRangeLabelsAreReported()
    {
        using var temp = new TempFolder();
        string images = Path.Combine(temp.Path, "train-images-idx3-ubyte");
        string labels = Path.Combine(temp.Path, "train-labels-idx1-ubyte");
        File.WriteAllBytes(images, IdxBytes.Build([2, 32, 32], new byte[2 * 1024]));
        File.WriteAllBytes(labels, IdxBytes.Build([2], [1, 10]));
        var size = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(temp.Path, train: true));
        Assert.Contains("32x32; expected 28x28", size.Message);

        File.WriteAllBytes(images, IdxBytes.Build([2, 28, 28], new byte[2 * 784]));
        var label = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(temp.Path, train: true));
        Assert.Contains("image 1 label 10; expected 0 to 9", label.Message);
    }
}
