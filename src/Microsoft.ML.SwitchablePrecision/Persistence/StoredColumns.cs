namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>The ML.NET column names and scoring batch of a stored model (format version 2 on).</summary>
internal sealed record StoredColumns
{
    public string Label { get; init; } = "";
    public string Features { get; init; } = "";
    public string Score { get; init; } = "";
    public string PredictedLabel { get; init; } = "";
    public int ScoringBatchSize { get; init; }
}
