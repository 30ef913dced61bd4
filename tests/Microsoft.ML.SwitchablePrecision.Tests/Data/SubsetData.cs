using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Data;

/// <summary>The Fashion-MNIST subset copied next to the test assembly, loaded once per test run.</summary>
internal static class SubsetData
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fashion-mnist-subset");

    private static readonly Lazy<ImageDataset> TrainSplit = new(() => FashionMnist.Load(Folder, train: true));
    private static readonly Lazy<ImageDataset> TestSplit = new(() => FashionMnist.Load(Folder, train: false));

    public static ImageDataset Train => TrainSplit.Value;
    public static ImageDataset Test => TestSplit.Value;

    /// <summary>The first <paramref name="perClass"/> images of every class, in file order.</summary>
    public static ImageDataset Balanced(ImageDataset data, int perClass)
    {
        var seen = new int[data.Classes];
        var picked = new List<int>();
        for (int i = 0; i < data.Count; i++)
            if (seen[data.Labels[i]]++ < perClass) picked.Add(i);
        return data.Select(picked);
    }
}
