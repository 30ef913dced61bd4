using Microsoft.ML.SwitchablePrecision;

namespace SpNet.Train.Training;

/// <summary>Mean milliseconds of one PredictionEngine prediction at one switch, with packed kernels on and off.</summary>
/// <param name="Packed">With <see cref="SwitchablePrecisionTransformer.UsePackedKernels"/> on (the default).</param>
/// <param name="FloatPath">With it off: every switch simulated in float32.</param>
internal sealed record Latency(double Packed, double FloatPath);
