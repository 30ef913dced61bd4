using Microsoft.ML.SwitchablePrecision.Data;

namespace SpNet.Train.Data;

/// <summary>Fashion-MNIST's class names in label order, spelled so they can be folder names ("T-shirt/top" becomes "T-shirt-top").</summary>
internal static class FashionMnistClasses
{
    /// <summary>Class name of each label 0..9.</summary>
    public static IReadOnlyList<string> Names { get; } =
        FashionMnist.ClassNames.Select(name => name.Replace('/', '-').Replace(' ', '-')).ToArray();
}
