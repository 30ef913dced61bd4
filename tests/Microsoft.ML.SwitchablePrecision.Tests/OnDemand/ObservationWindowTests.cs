using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace Microsoft.ML.SwitchablePrecision.Tests.OnDemand;

public sealed class ObservationWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(7, 3)]
    [InlineData(1000, 949)]
    [InlineData(4096, 4095)]
    public void SelectionEqualsTheSortedReference(int count, int rank)
    {
        var random = new Random(count);
        // Ties, runs of equal and of rising values, as latencies arrive.
        double[] values = Enumerable.Range(0, count).Select(i => i % 5 == 0 ? 2.5 : i % 3 == 0 ? i * 0.01 : Math.Round(random.NextDouble() * 10, 1)).ToArray();
        double expected = Selection.SmallestReference(values, rank);
        Assert.Equal(expected, Selection.Smallest(values.ToArray(), rank));
        for (int r = 0; r < count; r += Math.Max(1, count / 17))
            Assert.Equal(Selection.SmallestReference(values, r), Selection.Smallest(values.ToArray(), r));
    }

    [Fact]
    public void SelectionOfSortedAndReversedInputs()
    {
        double[] rising = Enumerable.Range(0, 3000).Select(i => (double)i).ToArray();
        Assert.Equal(2849, Selection.Smallest(rising.ToArray(), 2849));
        Assert.Equal(2849, Selection.Smallest(rising.Reverse().ToArray(), 2849));
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.Smallest(rising.ToArray(), 3000));
    }

    [Fact]
    public void PercentileIsTheNearestRankOfTheSamplesInTheWindow()
    {
        var window = new ObservationWindow(TimeSpan.FromSeconds(1), capacity: 100);
        for (int i = 1; i <= 20; i++) window.Add(Start + TimeSpan.FromMilliseconds(10 * i), i);
        // 20 samples 1..20: p95 is the 19th (ceil(0.95 x 20) = 19), p50 the 10th, p100 the largest.
        Assert.Equal(19, window.Percentile(0.95));
        Assert.Equal(10, window.Percentile(0.5));
        Assert.Equal(20, window.Percentile(1));
        Assert.Equal(1, window.Percentile(0.01));
    }

    [Fact]
    public void OldSamplesLeaveTheWindowByAgeAndByCapacity()
    {
        var window = new ObservationWindow(TimeSpan.FromSeconds(1), capacity: 8);
        // Ten samples 100 ms apart, values 1..10: the capacity keeps the last 8 (3..10).
        for (int i = 1; i <= 10; i++) window.Add(Start + TimeSpan.FromMilliseconds(100 * i), i);
        Assert.Equal(8, window.Count);
        Assert.Equal(3, window.Percentile(0.01));
        Assert.Equal(10, window.Percentile(1));
        // 1.65 s later than the 10th: only samples at or after 1.65 s - 1 s remain, none of the old ones but the new.
        window.Add(Start + TimeSpan.FromMilliseconds(1000 + 1000 + 650), 0.5);
        Assert.Equal(1, window.Count);
        Assert.Equal(0.5, window.Percentile(0.95));
        // The ring buffer wraps around many times and keeps answering from the right samples.
        for (int i = 0; i < 50; i++) window.Add(Start + TimeSpan.FromSeconds(3) + TimeSpan.FromMilliseconds(10 * i), 100 + i);
        Assert.Equal(8, window.Count);
        Assert.Equal(142, window.Percentile(0.01));
        Assert.Equal(149, window.Percentile(1));
        window.Clear();
        Assert.Equal(0, window.Count);
        Assert.Throws<InvalidOperationException>(() => window.Percentile(0.5));
    }
}
