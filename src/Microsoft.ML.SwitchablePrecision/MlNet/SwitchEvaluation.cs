using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>ML.NET's multiclass metrics of one switch.</summary>
/// <param name="Precision">The switch evaluated.</param>
/// <param name="Metrics">Accuracy, log-loss, confusion matrix and the rest, as <c>MulticlassClassification.Evaluate</c> gives them.</param>
public sealed record SwitchEvaluation(Precision Precision, MulticlassClassificationMetrics Metrics);
