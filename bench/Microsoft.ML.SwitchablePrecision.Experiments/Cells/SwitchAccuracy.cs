namespace Microsoft.ML.SwitchablePrecision.Experiments.Cells;

/// <summary>Test-set result of one switch of a trained network.</summary>
/// <param name="Precision">The switch, for example <c>W1A2</c>.</param>
/// <param name="Accuracy">Fraction of test images classified correctly, 0 to 1.</param>
/// <param name="Loss">Mean cross-entropy per test image.</param>
internal sealed record SwitchAccuracy(string Precision, double Accuracy, double Loss);
