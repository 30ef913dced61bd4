namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>Sums of loss and correct predictions per switch, giving running means.</summary>
internal sealed class RunningMetrics(IReadOnlyList<Precision> switches)
{
    private readonly double[] _lossSums = new double[switches.Count];
    private readonly long[] _correct = new long[switches.Count];
    private readonly long[] _images = new long[switches.Count];

    /// <summary>Adds a batch of <paramref name="images"/> with mean loss <paramref name="meanLoss"/>.</summary>
    public void Add(int switchIndex, double meanLoss, long correct, int images)
    {
        _lossSums[switchIndex] += meanLoss * images;
        _correct[switchIndex] += correct;
        _images[switchIndex] += images;
    }

    /// <summary>The means so far, in switch order.</summary>
    public IReadOnlyList<SwitchMetrics> Snapshot() =>
        switches.Select((s, i) => _images[i] == 0
                ? new SwitchMetrics(s, double.NaN, double.NaN)
                : new SwitchMetrics(s, _lossSums[i] / _images[i], (double)_correct[i] / _images[i]))
            .ToArray();
}
