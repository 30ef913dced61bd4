using System.Collections.Concurrent;
using Microsoft.ML;

namespace SpNet.Serve.Serving;

/// <summary>
/// PredictionEngines for concurrent requests: a PredictionEngine is not thread-safe, and disposing one disposes the
/// shared model, so each request rents an engine for itself and returns it; none is disposed while serving (that would dispose the
/// shared model for every other engine).
/// </summary>
internal sealed class EnginePool(MLContext mlContext, ITransformer model)
{
    private readonly ConcurrentBag<PredictionEngine<ImageRow, Prediction>> _idle = [];
    private int _created;

    /// <summary>Engines created so far: at most the peak number of concurrent requests.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Runs <paramref name="use"/> with an engine no other caller holds meanwhile.</summary>
    public T With<T>(Func<PredictionEngine<ImageRow, Prediction>, T> use)
    {
        if (!_idle.TryTake(out var engine))
        {
            engine = mlContext.Model.CreatePredictionEngine<ImageRow, Prediction>(model);
            Interlocked.Increment(ref _created);
        }
        var result = use(engine);
        _idle.Add(engine); // an engine that threw is dropped, not reused: its row state is unknown
        return result;
    }
}
