namespace SpNet.Train.Data;

/// <summary>One input row of the training pipeline: where the image is and which class it belongs to.</summary>
internal sealed class ImageRow
{
    /// <summary>Full path of the image file; ML.NET's LoadImages reads it.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>Class name (the name of the folder holding the image).</summary>
    public string Label { get; set; } = "";
}
