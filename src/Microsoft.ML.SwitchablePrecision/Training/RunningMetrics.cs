namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>Sums of loss and correct predictions per switch, giving running means.</summary>
internal sealed class RunningMetrics(IReadOnlyList<Precision> switches)
{
    private readonly double[] _lossSums = new double[switches.Count];
    private readonly long[] _correct = new long[switches.Count];
    private readonly long[] _images = new long[switches.Count];

    /// <summary>The sums themselves, per switch in switch order: what a checkpoint within an epoch keeps.</summary>
    internal sealed record State(double[] LossSums, long[] Correct, long[] Images);

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

    /// <summary>A copy of the sums.</summary>
    public State Save() => new(_lossSums.ToArray(), _correct.ToArray(), _images.ToArray());

    /// <summary>Continues from sums saved by <see cref="Save"/>.</summary>
    /// <exception cref="ArgumentException">The state holds another number of switches.</exception>
    public void Restore(State state)
    {
        if (state.LossSums.Length != _lossSums.Length || state.Correct.Length != _correct.Length || state.Images.Length != _images.Length)
            throw new ArgumentException($"The saved metrics are for {state.LossSums.Length} switches; this run has {_lossSums.Length}.", nameof(state));
        state.LossSums.CopyTo(_lossSums, 0);
        state.Correct.CopyTo(_correct, 0);
        state.Images.CopyTo(_images, 0);
    }
}
