namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// How long one switch takes on the machine that measured it, through the scoring path predictions use (the compiled
/// inference plan where the scoring policy picks it, otherwise the TorchSharp forward). Measured by
/// <see cref="SwitchablePrecisionTransformer.MeasureLatency"/>; kept for the life of the transformer, never saved.
/// </summary>
/// <param name="SingleImage">Median time of one prediction of one image (batch 1, as <c>PredictionEngine</c> scores).</param>
/// <param name="ScoringBatchSize">The batch size of the second measurement: <see cref="SpNetOptions.ScoringBatchSize"/>, at most 32
/// so that measuring stays within a few hundred milliseconds.</param>
/// <param name="ScoringBatch">Median time of one forward pass over <paramref name="ScoringBatchSize"/> images (as <c>Transform</c> scores).</param>
public sealed record SwitchLatency(TimeSpan SingleImage, int ScoringBatchSize, TimeSpan ScoringBatch)
{
    /// <summary>Time per image at the scoring batch size: <c>ScoringBatch / ScoringBatchSize</c>.</summary>
    public TimeSpan PerImageAtScoringBatch => ScoringBatch / ScoringBatchSize;
}
