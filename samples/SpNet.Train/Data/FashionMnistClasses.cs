namespace SpNet.Train.Data;

/// <summary>Fashion-MNIST's ten classes, in label order, spelled so they can be folder names.</summary>
internal static class FashionMnistClasses
{
    /// <summary>Class name of each label 0..9.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle-boot"];
}
