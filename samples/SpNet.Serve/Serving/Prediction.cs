namespace SpNet.Serve.Serving;

/// <summary>What the pipeline answers for one image.</summary>
internal sealed class Prediction
{
    /// <summary>Name of the most probable class.</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Probability of each class, in the model's class order.</summary>
    public float[] Score { get; set; } = [];
}
