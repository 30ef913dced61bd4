using SpNet.Train.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

public sealed class ImageFolderLoaderTests : IDisposable
{
    private readonly SampleFiles _files = new();

    public void Dispose() => _files.Dispose();

    private void WriteClass(string folder, string label, int count)
    {
        for (int i = 0; i < count; i++) _files.WriteGreyPng(Path.Combine(folder, label, $"{i}.png"), seed: i);
    }

    [Fact]
    public void Class_folders_become_labelled_rows_with_a_stratified_seeded_hold_out()
    {
        WriteClass("images", "cat", 10);
        WriteClass("images", "dog", 5);
        _files.WriteText(Path.Combine("images", "dog", ".DS_Store"), "hidden files are skipped");

        var split = ImageFolderLoader.Load(_files.PathOf("images"), testFraction: 0.2, seed: 3);

        Assert.Equal(["cat", "dog"], split.Classes);
        Assert.True(split.IsGrey);
        Assert.Equal(2, split.Test.Count(r => r.Label == "cat"));
        Assert.Equal(1, split.Test.Count(r => r.Label == "dog"));
        Assert.Equal(12, split.Train.Count);
        Assert.Empty(split.Train.Select(r => r.ImagePath).Intersect(split.Test.Select(r => r.ImagePath)));
        Assert.All(split.Train.Concat(split.Test), r => Assert.Equal(r.Label, Path.GetFileName(Path.GetDirectoryName(r.ImagePath))));
        Assert.All(split.Train, r => Assert.True(Path.IsPathFullyQualified(r.ImagePath)));
        var again = ImageFolderLoader.Load(_files.PathOf("images"), testFraction: 0.2, seed: 3);
        Assert.Equal(split.Test.Select(r => r.ImagePath), again.Test.Select(r => r.ImagePath));
    }

    [Fact]
    public void Train_and_test_folders_are_used_as_given_and_colour_is_detected()
    {
        WriteClass(Path.Combine("images", "train"), "a", 3);
        WriteClass(Path.Combine("images", "train"), "b", 2);
        _files.WriteColourPng(Path.Combine("images", "test", "b", "x.png"));

        var split = ImageFolderLoader.Load(_files.PathOf("images"));

        Assert.Equal(["a", "b"], split.Classes);
        Assert.Equal(5, split.Train.Count);
        Assert.Equal("b", Assert.Single(split.Test).Label);
        Assert.False(split.IsGrey);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        string missing = _files.PathOf("missing");
        var error = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(missing));
        Assert.Equal($"Image folder '{missing}' does not exist: expected a folder of class sub-folders holding image files.", error.Message);
    }

    [Fact]
    public void An_empty_folder_is_rejected()
    {
        Directory.CreateDirectory(_files.PathOf("empty"));
        var error = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(_files.PathOf("empty")));
        Assert.Contains("holds no class sub-folders: expected one sub-folder per class", error.Message);
    }

    [Fact]
    public void A_non_image_file_is_named()
    {
        WriteClass("images", "cat", 2);
        WriteClass("images", "dog", 2);
        string notes = _files.WriteText(Path.Combine("images", "dog", "notes.txt"), "not an image");

        var error = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(_files.PathOf("images")));
        Assert.StartsWith($"'{notes}' is not an image file: expected image files (.png, .jpg", error.Message);
    }

    [Fact]
    public void A_file_with_an_image_extension_that_does_not_decode_is_named()
    {
        WriteClass("images", "cat", 2);
        string fake = _files.WriteText(Path.Combine("images", "dog", "fake.png"), "plain text");

        var error = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(_files.PathOf("images")));
        Assert.StartsWith($"'{fake}' cannot be decoded as an image", error.Message);
    }

    [Fact]
    public void A_class_folder_with_no_images_is_named()
    {
        WriteClass("images", "cat", 2);
        string dog = _files.PathOf("images", "dog");
        Directory.CreateDirectory(dog);

        var error = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(_files.PathOf("images")));
        Assert.Equal($"Class folder '{dog}' holds no images: every class needs at least one image file.", error.Message);
    }

    [Fact]
    public void Files_beside_the_class_folders_and_a_single_class_are_rejected()
    {
        WriteClass("images", "cat", 2);
        var single = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(_files.PathOf("images")));
        Assert.Contains("holds only the class folder 'cat': expected at least two classes", single.Message);

        WriteClass("images", "dog", 2);
        string stray = _files.WriteGreyPng(Path.Combine("images", "loose.png"));
        var loose = Assert.Throws<DataSourceException>(() => ImageFolderLoader.Load(_files.PathOf("images")));
        Assert.StartsWith($"'{stray}' lies directly in", loose.Message);
    }

    [Fact]
    public void The_png_cache_of_an_idx_folder_loads_as_its_train_and_test_parts()
    {
        _files.WriteIdx("idx", "train", Enumerable.Range(0, 4 * 16).Select(i => (byte)i).ToArray(), [0, 1, 1, 0], 4, 4);
        _files.WriteIdx("idx", "t10k", new byte[2 * 16], [1, 0], 4, 4);
        string cache = IdxPngCache.Ensure(_files.PathOf("idx"), _files.PathOf("cache"), ["Left", "Right"], out _);

        var split = ImageFolderLoader.Load(cache);

        Assert.Equal(["Left", "Right"], split.Classes);
        Assert.Equal(4, split.Train.Count);
        Assert.Equal(2, split.Test.Count);
        Assert.True(split.IsGrey);
    }
}
