namespace SpNet.Serve.Serving;

/// <summary>The pixels the saved pipeline's image steps produce: the switchable-precision network's input.</summary>
internal sealed class FeatureRow
{
    /// <summary>The <c>Features</c> column, in (C, H, W) order.</summary>
    public float[] Features { get; set; } = [];
}

/// <summary>What the network answers for one image.</summary>
internal sealed class ScoreRow
{
    /// <summary>Probability of each class, in the model's class order.</summary>
    public float[] Score { get; set; } = [];
}
