using SkiaSharp;
using SpNet.Train.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

public sealed class IdxPngCacheTests : IDisposable
{
    private static readonly string[] Classes = ["Zero", "One", "Two"];
    private readonly SampleFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string WriteIdxFolder(byte[]? trainLabels = null)
    {
        trainLabels ??= [0, 1, 2, 1, 0];
        var trainPixels = Enumerable.Range(0, trainLabels.Length * 12).Select(i => (byte)(i * 5)).ToArray();
        _files.WriteIdx("idx", "train", trainPixels, trainLabels, height: 3, width: 4);
        _files.WriteIdx("idx", "t10k", Enumerable.Range(0, 24).Select(i => (byte)(255 - i)).ToArray(), [2, 0], 3, 4);
        return _files.PathOf("idx");
    }

    [Fact]
    public void Writes_one_png_per_image_into_its_class_folder_with_the_exact_pixels()
    {
        string cache = IdxPngCache.Ensure(WriteIdxFolder(), _files.PathOf("cache"), Classes, out bool written);

        Assert.True(written);
        Assert.Equal(["00000.png", "00004.png"], Directory.GetFiles(Path.Combine(cache, "train", "Zero")).Select(Path.GetFileName).Order());
        Assert.Equal(["00001.png", "00003.png"], Directory.GetFiles(Path.Combine(cache, "train", "One")).Select(Path.GetFileName).Order());
        Assert.Single(Directory.GetFiles(Path.Combine(cache, "test", "Two")));
        using var image = SKBitmap.Decode(Path.Combine(cache, "train", "One", "00003.png"));
        Assert.Equal((4, 3), (image.Width, image.Height));
        // Image 3 holds bytes 36..47 of the training pixels, each written as i * 5.
        Assert.Equal((byte)(37 * 5), image.GetPixel(1, 0).Red);
        Assert.Equal((byte)(47 * 5), image.GetPixel(3, 2).Red);
        Assert.Equal("train 5\ntest 2\n", File.ReadAllText(Path.Combine(cache, IdxPngCache.ManifestFileName)));
    }

    [Fact]
    public void A_complete_cache_is_reused_and_an_incomplete_one_is_rewritten()
    {
        string idx = WriteIdxFolder();
        string cache = IdxPngCache.Ensure(idx, _files.PathOf("cache"), Classes, out _);
        string sample = Path.Combine(cache, "train", "Two", "00002.png");
        var stamp = File.GetLastWriteTimeUtc(sample);

        Assert.Equal(cache, IdxPngCache.Ensure(idx, _files.PathOf("cache"), Classes, out bool again));
        Assert.False(again);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(sample));

        File.Delete(Path.Combine(cache, "test", "Zero", "00001.png"));
        Assert.False(IdxPngCache.IsComplete(cache));
        IdxPngCache.Ensure(idx, _files.PathOf("cache"), Classes, out bool rewritten);
        Assert.True(rewritten);
        Assert.True(File.Exists(Path.Combine(cache, "test", "Zero", "00001.png")));
    }

    [Fact]
    public void A_failure_while_writing_leaves_no_cache_and_no_partial_folder()
    {
        string idx = WriteIdxFolder(trainLabels: [0, 1, 7, 1, 0]);

        var error = Assert.Throws<DataSourceException>(() => IdxPngCache.Ensure(idx, _files.PathOf("cache"), Classes, out _));

        Assert.Contains("Image 2", error.Message);
        Assert.Contains("label 7: expected 0..2", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_files.PathOf("cache")));
    }

    [Fact]
    public void A_missing_folder_or_file_is_named_in_the_error()
    {
        string missing = _files.PathOf("nowhere");
        var noFolder = Assert.Throws<DataSourceException>(() => IdxPngCache.Ensure(missing, _files.PathOf("cache"), Classes, out _));
        Assert.Contains($"'{missing}' does not exist", noFolder.Message);

        string idx = WriteIdxFolder();
        File.Delete(Path.Combine(idx, "t10k-labels-idx1-ubyte.gz"));
        var noFile = Assert.Throws<DataSourceException>(() => IdxPngCache.Ensure(idx, _files.PathOf("cache"), Classes, out _));
        Assert.Contains("has no 't10k-labels-idx1-ubyte.gz'", noFile.Message);
    }

    [Fact]
    public void Label_and_image_counts_must_agree_and_an_image_file_must_have_three_dimensions()
    {
        _files.WriteIdx("idx", "train", new byte[3 * 4], [0, 1, 2], 2, 2);
        _files.WriteIdx("other", "train", new byte[8], [0, 1], 2, 2);
        File.Copy(_files.PathOf("other", "train-labels-idx1-ubyte.gz"), _files.PathOf("idx", "train-labels-idx1-ubyte.gz"), overwrite: true);
        var mismatch = Assert.Throws<DataSourceException>(() => IdxFolder.Read(_files.PathOf("idx"), train: true));
        Assert.Contains("holds 2 labels but", mismatch.Message);
        Assert.Contains("holds 3 images", mismatch.Message);

        File.Copy(_files.PathOf("other", "train-labels-idx1-ubyte.gz"), _files.PathOf("idx", "train-images-idx3-ubyte.gz"), overwrite: true);
        var magic = Assert.Throws<DataSourceException>(() => IdxFolder.Read(_files.PathOf("idx"), train: true));
        Assert.Contains("train-images-idx3-ubyte.gz' has 1 dimensions: expected 3", magic.Message);
    }

    [Fact]
    public void The_shipped_subset_reads_as_six_thousand_training_and_one_thousand_test_images()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");
        var train = IdxFolder.Read(folder, train: true);
        var test = IdxFolder.Read(folder, train: false);

        Assert.Equal((6000, 28, 28), (train.Count, train.Height, train.Width));
        Assert.Equal(1000, test.Count);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(600, train.Labels.Count(l => l == c)));
        Assert.Equal(10, FashionMnistClasses.Names.Count);
    }
}
