using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace Microsoft.ML.SwitchablePrecision.Tests.OnDemand;

public sealed class PrecisionGovernorTests
{
    private static readonly Precision[] Switches = [new(1, 32), new(1, 1), new(1, 4), new(1, 2)];

    // Milliseconds per image at load 1 of each switch (indexed like Switches): W1A32 the slowest, W1A1 the fastest.
    private static readonly double[] Cost = [8, 1, 3, 2];

    private sealed class Served
    {
        public readonly FakeClock Clock = new();
        public readonly List<PrecisionChangedEventArgs> Changes = [];
        public int Active;
        public PrecisionGovernor Governor = null!;

        public static Served Attach(PrecisionGovernor governor, FakeClock clock, int active = 0, double?[]? accuracies = null)
        {
            var served = new Served { Governor = governor, Active = active };
            clock.Advance(TimeSpan.Zero);
            governor.Attach(Switches, accuracies ?? new double?[Switches.Length], active, i => served.Active = i, served.Changes.Add);
            return served;
        }

        // One prediction every 10 ms of fake time for the given duration, at the active switch, under the given load.
        public void Run(FakeClock clock, TimeSpan duration, double load)
        {
            for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMilliseconds(10))
            {
                clock.Advance(TimeSpan.FromMilliseconds(10));
                Governor.Observe(Active, TimeSpan.FromMilliseconds(Cost[Active] * load), 1);
            }
        }
    }

    private static (PrecisionGovernor, FakeClock) Latency(double targetMs, double? minAccuracy = null)
    {
        var clock = new FakeClock();
        var governor = PrecisionGovernor.ForLatency(TimeSpan.FromMilliseconds(targetMs), 0.95,
            new PrecisionGovernorOptions { Clock = clock, MinAccuracy = minAccuracy });
        return (governor, clock);
    }

    [Fact]
    public void LadderRunsFromTheCheapestSwitchToTheMostPrecise()
    {
        var (governor, clock) = Latency(5);
        Served.Attach(governor, clock);
        Assert.Equal([new(1, 1), new(1, 2), new(1, 4), new Precision(1, 32)], governor.Ladder);
        Assert.Equal(new Precision(1, 32), governor.Current);
    }

    [Fact]
    public void StepsDownOneSwitchAtATimeUnderOverloadUntilTheTargetHolds()
    {
        var (governor, clock) = Latency(5);
        var served = Served.Attach(governor, clock);

        served.Run(clock, TimeSpan.FromSeconds(10), load: 1);

        // W1A32 costs 8 ms > 5: one step to W1A4 (3 ms), which holds the target; no further step.
        var change = Assert.Single(served.Changes);
        Assert.Equal((new Precision(1, 32), new Precision(1, 4)), (change.Previous, change.Current));
        Assert.Equal("p95 latency 8 ms above the target 5 ms", change.Reason);
        Assert.Equal(new Precision(1, 4), governor.Current);
        Assert.Equal(2, served.Active);
        // The first decision waits for the minimum dwell (1 s) and the minimum samples.
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 12, 0, 1, TimeSpan.Zero), change.Time);
    }

    [Fact]
    public void RecoversWhenTheLoadDrops()
    {
        var (governor, clock) = Latency(5);
        var served = Served.Attach(governor, clock);
        served.Run(clock, TimeSpan.FromSeconds(5), load: 2);    // 16, 6, 4 ms: down to W1A2 (4 ms) and no further
        Assert.Equal(new Precision(1, 2), governor.Current);

        // 0.6 ms at W1A2; expected at W1A4 0.6 * 6/4 = 0.9, then at W1A32 0.9 * 16/6 = 2.4: both under 70 % of 5 ms.
        served.Run(clock, TimeSpan.FromSeconds(10), load: 0.3);
        Assert.Equal(new Precision(1, 32), governor.Current);
        Assert.Equal([new(1, 4), new(1, 2), new(1, 4), new Precision(1, 32)], served.Changes.Select(c => c.Current));
        Assert.StartsWith("p95 latency 0.6 ms, 0.9 ms expected at W1A4, below 70 % of the target 5 ms", served.Changes[2].Reason);
    }

    [Fact]
    public void SettlesUnderSteadyLoadWithoutOscillating()
    {
        // Target 7 ms: W1A32 (8 ms) misses it, W1A4 (3 ms) has more than 30 % headroom. A rule that stepped up on
        // headroom alone would go back to W1A32 and down again every second; the learnt ratio (8/3) keeps it at W1A4.
        var (governor, clock) = Latency(7);
        var served = Served.Attach(governor, clock);

        served.Run(clock, TimeSpan.FromSeconds(60), load: 1);

        Assert.Equal(new Precision(1, 4), Assert.Single(served.Changes).Current);
    }

    [Fact]
    public void NeverGoesBelowTheAccuracyFloor()
    {
        var (governor, clock) = Latency(1.5, minAccuracy: 0.8);
        double?[] accuracies = [0.86, 0.71, 0.83, 0.78];
        var served = Served.Attach(governor, clock, accuracies: accuracies);
        Assert.Equal([new(1, 4), new Precision(1, 32)], governor.Ladder);

        served.Run(clock, TimeSpan.FromSeconds(20), load: 1); // even W1A4 (3 ms) misses 1.5 ms

        Assert.Equal(new Precision(1, 4), governor.Current);
        Assert.Single(served.Changes);
        Assert.Throws<ArgumentOutOfRangeException>(() => governor.Follow(1));
    }

    [Fact]
    public void AModelActiveBelowTheFloorIsMovedUpAtOnceAndAFloorNoSwitchMeetsIsRefused()
    {
        var (governor, clock) = Latency(5, minAccuracy: 0.8);
        var served = Served.Attach(governor, clock, active: 1, accuracies: [0.86, 0.71, 0.83, 0.78]);
        Assert.Equal(2, served.Active);
        Assert.Equal("W1A1 is below the accuracy floor 80.00 %", Assert.Single(served.Changes).Reason);

        var (strict, strictClock) = Latency(5, minAccuracy: 0.9);
        var error = Assert.Throws<InvalidOperationException>(() => Served.Attach(strict, strictClock, accuracies: [0.86, null, 0.83, 0.78]));
        Assert.Equal("No switch meets the governor's accuracy floor 90.00 %: W1A32 86.00 %, W1A1 unknown, W1A4 83.00 %, W1A2 78.00 %.", error.Message);
    }

    [Fact]
    public void ObservationsAtAnotherSwitchAreIgnored()
    {
        var (governor, clock) = Latency(5);
        var served = Served.Attach(governor, clock);
        for (int i = 0; i < 500; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            governor.Observe(new Precision(1, 1), TimeSpan.FromMilliseconds(50));
        }
        Assert.Empty(served.Changes);
        Assert.Throws<ArgumentOutOfRangeException>(() => governor.Observe(new Precision(8, 8), TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void MemoryPressureStepsDownAndBackUp()
    {
        var clock = new FakeClock();
        double pressure = 0.95;
        var governor = PrecisionGovernor.ForMemoryPressure(0.9, () => pressure, options: new PrecisionGovernorOptions { Clock = clock });
        var served = Served.Attach(governor, clock);
        served.Run(clock, TimeSpan.FromSeconds(2.5), load: 1);
        Assert.Equal(new Precision(1, 2), governor.Current);    // two steps in 2.5 s: one per dwell
        Assert.Equal("p50 memory pressure 0.95 above the target 0.9", served.Changes[0].Reason);

        pressure = 0.7;                                        // below the target but not 70 % of it: stay
        served.Run(clock, TimeSpan.FromSeconds(5), load: 1);
        Assert.Equal(new Precision(1, 2), governor.Current);

        pressure = 0.3;
        served.Run(clock, TimeSpan.FromSeconds(5), load: 1);
        Assert.Equal(new Precision(1, 32), governor.Current);
    }

    [Fact]
    public void ConcurrentObservationsChangeOneStepAtATime()
    {
        var clock = new FakeClock();
        var governor = PrecisionGovernor.ForLatency(TimeSpan.FromMilliseconds(5), 0.95, new PrecisionGovernorOptions { Clock = clock, MaximumSamples = 256 });
        Served.Attach(governor, clock);
        var changes = new System.Collections.Concurrent.ConcurrentQueue<PrecisionChangedEventArgs>();
        var active = 0;
        governor.Detach();
        governor.Attach(Switches, new double?[Switches.Length], 0, i => Volatile.Write(ref active, i), changes.Enqueue);

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (int i = 0; i < 4000; i++)
            {
                if (worker == 0 && i % 10 == 0) clock.Advance(TimeSpan.FromMilliseconds(20));
                int at = Volatile.Read(ref active);
                double load = (i / 1000) % 2 == 0 ? 2 : 0.3;
                governor.Observe(at, TimeSpan.FromMilliseconds(Cost[at] * load), 1);
            }
        });

        var ladder = governor.Ladder.ToList();
        var list = changes.ToList();
        Assert.NotEmpty(list);
        Assert.All(list, c => Assert.Equal(1, Math.Abs(ladder.IndexOf(c.Current) - ladder.IndexOf(c.Previous))));
        Assert.All(list.Zip(list.Skip(1)), pair => Assert.True(pair.Second.Time - pair.First.Time >= TimeSpan.FromSeconds(1)));
        Assert.Equal(Switches[Volatile.Read(ref active)], governor.Current);
        Assert.Equal(list[^1].Current, governor.Current);
    }

    [Fact]
    public void OptionsAndTargetsAreValidated()
    {
        Assert.Equal("target", Assert.Throws<ArgumentOutOfRangeException>(() => PrecisionGovernor.ForLatency(TimeSpan.Zero)).ParamName);
        Assert.Equal("percentile", Assert.Throws<ArgumentOutOfRangeException>(() => PrecisionGovernor.ForLatency(TimeSpan.FromMilliseconds(1), 95)).ParamName);
        Assert.Equal("maxPressure", Assert.Throws<ArgumentOutOfRangeException>(() => PrecisionGovernor.ForMemoryPressure(1.5)).ParamName);
        Assert.Equal("Headroom", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PrecisionGovernor.ForLatency(TimeSpan.FromMilliseconds(1), options: new PrecisionGovernorOptions { Headroom = 1 })).ParamName);
        Assert.Equal("MaximumSamples", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PrecisionGovernor.ForLatency(TimeSpan.FromMilliseconds(1), options: new PrecisionGovernorOptions { MinimumSamples = 50, MaximumSamples = 10 })).ParamName);
    }

    [Fact]
    public void AGovernorServesOneModelAtATime()
    {
        var (governor, clock) = Latency(5);
        Served.Attach(governor, clock);
        var error = Assert.Throws<InvalidOperationException>(() => Served.Attach(governor, clock));
        Assert.Equal("This PrecisionGovernor already governs another model; create one governor per model.", error.Message);
        governor.Detach();
        Assert.Null(governor.Current);
    }
}
