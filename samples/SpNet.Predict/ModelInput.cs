namespace SpNet.Predict;

/// <summary>One image to classify: the input row of the trained pipeline.</summary>
internal sealed class ModelInput
{
    /// <summary>Path of the image file.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>The class, when known; left empty for prediction.</summary>
    public string Label { get; set; } = "";
}
