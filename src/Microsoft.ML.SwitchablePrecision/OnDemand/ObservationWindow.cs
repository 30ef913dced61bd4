namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>The observations of the last <c>window</c> of time (at most <c>capacity</c>), and their percentile. Not thread-safe.</summary>
internal sealed class ObservationWindow(TimeSpan window, int capacity)
{
    private readonly Queue<(DateTimeOffset Time, double Value)> _samples = new();

    public int Count => _samples.Count;

    public void Add(DateTimeOffset now, double value)
    {
        _samples.Enqueue((now, value));
        while (_samples.Count > capacity || _samples.Peek().Time < now - window) _samples.Dequeue();
    }

    public void Clear() => _samples.Clear();

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="fraction"/> of the samples at or below it.</summary>
    public double Percentile(double fraction)
    {
        if (_samples.Count == 0) throw new InvalidOperationException("The window holds no observation.");
        var values = _samples.Select(s => s.Value).Order().ToArray();
        int rank = (int)Math.Ceiling(fraction * values.Length);
        return values[Math.Clamp(rank - 1, 0, values.Length - 1)];
    }
}
