namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>Loss and accuracy of one switch of a network.</summary>
/// <param name="Precision">The switch.</param>
/// <param name="Loss">Mean hard-label cross-entropy (natural log) per image.</param>
/// <param name="Accuracy">Fraction of images whose highest-scoring class is the label, 0 to 1.</param>
public sealed record SwitchMetrics(Precision Precision, double Loss, double Accuracy);
