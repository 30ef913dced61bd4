using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

/// <summary>Small balanced slices of the Fashion-MNIST subset for training tests.</summary>
internal static class TrainingData
{
    private static readonly Lazy<ImageDataset> SmallTrain = new(() => SubsetData.Balanced(SubsetData.Train, 100));
    private static readonly Lazy<ImageDataset> SmallTest = new(() => SubsetData.Balanced(SubsetData.Test, 50));

    /// <summary>1,000 training images, 100 per class.</summary>
    public static ImageDataset Train => SmallTrain.Value;

    /// <summary>500 held-out test images, 50 per class.</summary>
    public static ImageDataset HeldOut => SmallTest.Value;

    public static readonly Precision[] ThreeSwitches = [Precision.Parse("W1A1"), Precision.Parse("W1A2"), Precision.FullPrecision];

    public static TinySwitchableNetwork NewNetwork(int seed, params Precision[] switches)
    {
        using var weights = InitialWeights.Seeded(seed);
        return new TinySwitchableNetwork(switches);
    }
}
