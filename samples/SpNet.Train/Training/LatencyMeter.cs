using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.SwitchablePrecision;
using SpNet.Train.Data;

namespace SpNet.Train.Training;

/// <summary>Times single-image predictions through a PredictionEngine, as an application would make them.</summary>
internal static class LatencyMeter
{
    /// <summary>Interleaved rounds over every switch and both kernel settings; the median round counts.</summary>
    public const int Rounds = 3;

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>
    /// Per switch, the median over <see cref="Rounds"/> rounds of the mean time per prediction over
    /// <paramref name="images"/>, packed kernels on and off; every round visits all switches and both settings, so
    /// drift of a shared machine hits them alike.
    /// </summary>
    public static IReadOnlyDictionary<Precision, Latency> Measure(MLContext mlContext, ITransformer model,
        SwitchablePrecisionTransformer spNet, IReadOnlyList<ImageRow> images)
    {
        var (originalPrecision, originalPacked) = (spNet.Precision, spNet.UsePackedKernels);
        // The engine must not own the model: disposing it would dispose the model the caller still saves.
        var engine = mlContext.Model.CreatePredictionEngine<ImageRow, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var times = spNet.Switches.ToDictionary(p => p, _ => (Packed: new List<double>(), Float: new List<double>()));
        try
        {
            for (int round = 0; round < Rounds; round++)
                foreach (var precision in spNet.Switches)
                    foreach (bool packed in new[] { true, false })
                    {
                        spNet.Precision = precision;
                        spNet.UsePackedKernels = packed;
                        (packed ? times[precision].Packed : times[precision].Float).Add(MeanMilliseconds(engine, images));
                    }
        }
        finally
        {
            (spNet.Precision, spNet.UsePackedKernels) = (originalPrecision, originalPacked);
            engine.Dispose();
        }
        return times.ToDictionary(t => t.Key, t => new Latency(Median(t.Value.Packed), Median(t.Value.Float)));
    }

    private static double MeanMilliseconds(PredictionEngine<ImageRow, Prediction> engine, IReadOnlyList<ImageRow> images)
    {
        for (int i = 0; i < Math.Min(5, images.Count); i++) engine.Predict(images[i]);
        var clock = Stopwatch.StartNew();
        foreach (var image in images) engine.Predict(image);
        return clock.Elapsed.TotalMilliseconds / images.Count;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
