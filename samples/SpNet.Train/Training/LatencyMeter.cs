using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.SwitchablePrecision;
using SpNet.Train.Data;

namespace SpNet.Train.Training;

/// <summary>Times single-image predictions through a PredictionEngine, as an application would make them.</summary>
internal static class LatencyMeter
{
    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>Mean milliseconds per prediction at each switch, over <paramref name="images"/> after a short warm-up.</summary>
    public static IReadOnlyDictionary<Precision, double> Measure(MLContext mlContext, ITransformer model,
        SwitchablePrecisionTransformer spNet, IReadOnlyList<ImageRow> images)
    {
        var original = spNet.Precision;
        // The engine must not own the model: disposing it would dispose the model the caller still saves.
        var engine = mlContext.Model.CreatePredictionEngine<ImageRow, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var result = new Dictionary<Precision, double>();
        try
        {
            foreach (var precision in spNet.Switches)
            {
                spNet.Precision = precision;
                for (int i = 0; i < Math.Min(5, images.Count); i++) engine.Predict(images[i]);
                var clock = Stopwatch.StartNew();
                foreach (var image in images) engine.Predict(image);
                result[precision] = clock.Elapsed.TotalMilliseconds / images.Count;
            }
        }
        finally
        {
            spNet.Precision = original;
            engine.Dispose();
        }
        return result;
    }
}
