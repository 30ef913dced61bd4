namespace SpNet.Serve.Serving;

/// <summary>The input row of the pipeline SpNet.Train saves: an image file, and its class when known.</summary>
internal sealed class ImageRow
{
    /// <summary>Path of the image file.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>The class; empty for prediction.</summary>
    public string Label { get; set; } = "";
}
