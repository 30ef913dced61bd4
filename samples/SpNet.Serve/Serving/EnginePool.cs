namespace SpNet.Serve.Serving;

/// <summary>
/// PredictionEngines for concurrent requests: a PredictionEngine is not thread-safe, and disposing one disposes the
/// shared model, so each request rents engines for itself and returns them; none is disposed while serving (that would
/// dispose the shared model for every other engine).
/// </summary>
internal sealed class EnginePool<TEngines>(Func<TEngines> create)
{
    private readonly System.Collections.Concurrent.ConcurrentBag<TEngines> _idle = [];
    private int _created;

    /// <summary>Engine sets created so far: at most the peak number of concurrent requests.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Runs <paramref name="use"/> with engines no other caller holds meanwhile.</summary>
    public T With<T>(Func<TEngines, T> use)
    {
        if (!_idle.TryTake(out var engines))
        {
            engines = create();
            Interlocked.Increment(ref _created);
        }
        var result = use(engines);
        _idle.Add(engines); // engines that threw are dropped, not reused: their row state is unknown
        return result;
    }
}
