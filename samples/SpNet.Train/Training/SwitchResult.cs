using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace SpNet.Train.Training;

/// <summary>Everything measured for one switch after training.</summary>
/// <param name="Precision">The switch.</param>
/// <param name="Metrics">ML.NET's multiclass metrics on the test images.</param>
/// <param name="Cost">Packed size and operation counts per image.</param>
/// <param name="BitOperations">Bit operations per image: each multiply-accumulate weighted by weight bits times activation bits.</param>
/// <param name="Latency">Mean time of one PredictionEngine prediction (image decode included), packed kernels on and off.</param>
internal sealed record SwitchResult(
    Precision Precision, MulticlassClassificationMetrics Metrics, SwitchCost Cost, double BitOperations, Latency Latency);
