using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.InferenceBenchmark;

/// <summary>
/// Single-image <c>PredictionEngine.Predict</c> throughput through the ML.NET transformer, with 1 and 2 concurrent
/// callers on one loaded model (each caller its own engine, as an ASP.NET app gives each request its own): what a
/// user serving one model on several threads gets, row copy, plan selection and softmax included.
/// </summary>
internal static class EngineThroughput
{
    /// <summary>Images per second with <paramref name="callers"/> threads predicting for <paramref name="milliseconds"/> each round; median of <paramref name="rounds"/> rounds.</summary>
    public static double Measure(SwitchablePrecisionTransformer transformer, int callers, double milliseconds, int rounds)
    {
        var mlContext = new MLContext(seed: 0);
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, transformer.Geometry.Channels,
            transformer.Geometry.Height, transformer.Geometry.Width);
        var engines = Enumerable.Range(0, callers).Select(_ => mlContext.Model.CreatePredictionEngine<PixelRow, ScoreRow>(transformer,
            new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = schema })).ToArray();
        var random = new Random(1);
        var rows = Enumerable.Range(0, 16).Select(_ => new PixelRow
        {
            Features = Enumerable.Range(0, transformer.Geometry.Size).Select(_ => (float)random.Next(256)).ToArray(),
        }).ToArray();
        foreach (var engine in engines) engine.Predict(rows[0]);
        var rates = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            long done = 0;
            var clock = Stopwatch.StartNew();
            var workers = engines.Select(engine => new Thread(() =>
            {
                long count = 0;
                while (clock.Elapsed.TotalMilliseconds < milliseconds) engine.Predict(rows[count++ % rows.Length]);
                Interlocked.Add(ref done, count);
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            rates.Add(done / clock.Elapsed.TotalSeconds);
        }
        foreach (var engine in engines) engine.Dispose();
        var sorted = rates.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>A transformer over <paramref name="network"/> with placeholder class names (the benchmark's weights are random).</summary>
    public static SwitchablePrecisionTransformer Transformer(SwitchableNetwork network) =>
        new((IHostEnvironment)new MLContext(seed: 0), new TorchNetworkBackend(network), new SpNetOptions { Switches = [.. network.Switches] },
            Enumerable.Range(0, network.Options.Classes).Select(i => $"class{i}").ToArray());

    private sealed class PixelRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
