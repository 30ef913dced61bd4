namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// The observations of the last <c>window</c> of time (at most <c>capacity</c>), and their percentile. Not thread-safe.
/// </summary>
/// <remarks>
/// The governor asks for the percentile after every served prediction, so it must cost little beside one: a ring
/// buffer, and a linear-time selection on a reused copy, allocate nothing. (Sorting a fresh array of the window each
/// time, as at first, cost about as much CPU as the batch-1 prediction it followed at a thousand requests a second.)
/// </remarks>
internal sealed class ObservationWindow
{
    private readonly TimeSpan _window;
    private readonly DateTimeOffset[] _times;
    private readonly double[] _values;
    private readonly double[] _scratch;
    private int _first;
    private int _count;

    public ObservationWindow(TimeSpan window, int capacity)
    {
        _window = window;
        _times = new DateTimeOffset[capacity];
        _values = new double[capacity];
        _scratch = new double[capacity];
    }

    public int Count => _count;

    public void Add(DateTimeOffset now, double value)
    {
        if (_count == _values.Length) Drop();
        int at = (_first + _count) % _values.Length;
        _times[at] = now;
        _values[at] = value;
        _count++;
        while (_times[_first] < now - _window) Drop();
    }

    public void Clear()
    {
        _first = 0;
        _count = 0;
    }

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="fraction"/> of the samples at or below it.</summary>
    public double Percentile(double fraction)
    {
        if (_count == 0) throw new InvalidOperationException("The window holds no observation.");
        var values = _scratch.AsSpan(0, _count);
        int tail = Math.Min(_count, _values.Length - _first);
        _values.AsSpan(_first, tail).CopyTo(values);
        _values.AsSpan(0, _count - tail).CopyTo(values[tail..]);
        return Selection.Smallest(values, NearestRank(fraction, _count));
    }

    /// <summary>The zero-based rank that <see cref="Percentile"/> returns among <paramref name="count"/> sorted values.</summary>
    internal static int NearestRank(double fraction, int count) => Math.Clamp((int)Math.Ceiling(fraction * count) - 1, 0, count - 1);

    private void Drop()
    {
        _first = (_first + 1) % _values.Length;
        _count--;
    }
}
