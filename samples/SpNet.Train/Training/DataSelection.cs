using Spectre.Console;
using SpNet.Train.Cli;
using SpNet.Train.Data;

namespace SpNet.Train.Training;

/// <summary>Turns the data options into class-folder rows: the shipped subset, an IDX folder (via the PNG cache) or the user's images.</summary>
internal static class DataSelection
{
    /// <summary>The Fashion-MNIST subset copied next to the sample's binaries.</summary>
    public static string ShippedSubset => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    /// <summary>Share of each class held out for testing when a class folder has no train/test split.</summary>
    public const double HoldOutFraction = 0.2;

    /// <summary>Loads the rows the settings ask for, writing the PNG cache of IDX data when needed.</summary>
    public static ImageFolderSplit Load(TrainSettings settings, IAnsiConsole console)
    {
        if (settings.ImagesFolder is { } images)
        {
            console.MarkupLineInterpolated($"Images: [bold]{images}[/] (class sub-folders)");
            return ImageFolderLoader.Load(images, HoldOutFraction, settings.Seed);
        }
        string idx = settings.DataFolder ?? ShippedSubset;
        console.MarkupLineInterpolated($"IDX data: [bold]{idx}[/]{(settings.DataFolder is null ? " (the subset shipped with the sample)" : "")}");
        string cacheRoot = Path.Combine(settings.OutputFolder, "image-cache");
        string cache = IdxPngCache.Ensure(idx, cacheRoot, FashionMnistClasses.Names, out bool written);
        console.MarkupLineInterpolated($"PNG cache: {cache} ({(written ? "written now" : "reused")})");
        return ImageFolderLoader.Load(cache);
    }
}
