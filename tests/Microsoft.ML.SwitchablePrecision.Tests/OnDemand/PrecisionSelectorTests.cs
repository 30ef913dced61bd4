using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace Microsoft.ML.SwitchablePrecision.Tests.OnDemand;

public sealed class PrecisionSelectorTests
{
    private static readonly Precision W1A1 = new(1, 1), W1A2 = new(1, 2), W1A4 = new(1, 4), W1A32 = new(1, 32);

    private static SwitchProfile Profile(Precision p, double? accuracy, double latencyMs, long workingBytes, double energy, long weightBytes = 1000) =>
        new(p, accuracy, weightBytes, workingBytes, 0, 0, 0, energy,
            new SwitchLatency(TimeSpan.FromMilliseconds(latencyMs), 256, TimeSpan.FromMilliseconds(latencyMs * 100)));

    private static readonly SwitchProfile[] Profiles =
    [
        Profile(W1A1, 0.70, 1.0, 10_000, 1e-6),
        Profile(W1A2, 0.78, 1.5, 12_000, 2e-6),
        Profile(W1A4, 0.82, 2.5, 20_000, 3e-6),
        Profile(W1A32, 0.85, 6.0, 80_000, 9e-6),
    ];

    [Fact]
    public void WithoutLimitsTheMostAccurateSwitchIsChosen()
    {
        var selection = PrecisionSelector.Select(Profiles, new PrecisionBudget());
        Assert.True(selection.Fits);
        Assert.Equal(W1A32, selection.Precision);
        Assert.Empty(selection.Violations);
    }

    [Fact]
    public void EachLimitExcludesExactlyTheSwitchesAboveIt()
    {
        Assert.Equal(W1A4, PrecisionSelector.Select(Profiles, new PrecisionBudget { MaxLatency = TimeSpan.FromMilliseconds(2.5) }).Precision);
        Assert.Equal(W1A2, PrecisionSelector.Select(Profiles, new PrecisionBudget { MaxWorkingBytes = 19_999 }).Precision);
        Assert.Equal(W1A1, PrecisionSelector.Select(Profiles, new PrecisionBudget { MaxEnergyPerImage = 1.5e-6 }).Precision);
        var both = PrecisionSelector.Select(Profiles, new PrecisionBudget { MaxLatency = TimeSpan.FromMilliseconds(3), MinAccuracy = 0.8 });
        Assert.Equal(W1A4, both.Precision);
        Assert.Equal([BudgetLimit.Latency], both.ViolationsOf(W1A32).Select(v => v.Limit));
        Assert.Equal([BudgetLimit.Accuracy], both.ViolationsOf(W1A2).Select(v => v.Limit));
        Assert.Empty(both.ViolationsOf(W1A4));
    }

    [Fact]
    public void WhenNothingFitsEverySwitchNamesEveryLimitItViolates()
    {
        var selection = PrecisionSelector.Select(Profiles, new PrecisionBudget { MaxLatency = TimeSpan.FromMilliseconds(1.2), MinAccuracy = 0.8 });

        Assert.False(selection.Fits);
        Assert.Equal([BudgetLimit.Accuracy], selection.ViolationsOf(W1A1).Select(v => v.Limit));
        Assert.Equal([BudgetLimit.Latency, BudgetLimit.Accuracy], selection.ViolationsOf(W1A2).Select(v => v.Limit));
        Assert.Equal([BudgetLimit.Latency], selection.ViolationsOf(W1A4).Select(v => v.Limit));
        Assert.Equal("latency 6 ms > 1.2 ms", selection.ViolationsOf(W1A32).Single().Reason);
        Assert.Equal("accuracy 70.00 % < 80.00 %", selection.ViolationsOf(W1A1).Single().Reason);
        var error = Assert.Throws<InvalidOperationException>(() => selection.Precision);
        Assert.Contains("No switch fits the budget (latency <= 1.2 ms, accuracy >= 80.00 %)", error.Message);
        Assert.Contains("W1A4: latency 2.5 ms > 1.2 ms", error.Message);
    }

    [Fact]
    public void EqualAccuracyGoesToTheCheapestSwitch()
    {
        SwitchProfile[] tied =
        [
            Profile(W1A4, 0.80, 2.0, 20_000, 3e-6),
            Profile(W1A2, 0.80, 1.0, 12_000, 2e-6),
            Profile(W1A32, 0.80, 1.0, 12_000, 2e-6, weightBytes: 900),
        ];
        // W1A2 and W1A32 tie on energy and latency too: fewer weight bytes decides.
        Assert.Equal(W1A32, PrecisionSelector.Select(tied, new PrecisionBudget()).Precision);
        Assert.Equal(W1A2, PrecisionSelector.Select(tied[..2], new PrecisionBudget()).Precision);
    }

    [Fact]
    public void UnknownValuesNeverMeetALimitAndUnknownAccuracyRanksByPrecision()
    {
        SwitchProfile[] unknown =
        [
            new(W1A1, null, 100, null, 0, 0, 0, 1e-6, null),
            new(W1A4, null, 100, null, 0, 0, 0, 3e-6, null),
            new(W1A2, 0.5, 100, null, 0, 0, 0, 2e-6, null),
        ];
        Assert.Equal(W1A2, PrecisionSelector.Select(unknown, new PrecisionBudget()).Precision);
        Assert.Equal(W1A4, PrecisionSelector.Select(unknown[..2], new PrecisionBudget()).Precision);

        var selection = PrecisionSelector.Select(unknown, new PrecisionBudget { MaxLatency = TimeSpan.FromSeconds(1), MaxWorkingBytes = 1 << 30, MinAccuracy = 0.1 });
        Assert.False(selection.Fits);
        Assert.Equal([BudgetLimit.Latency, BudgetLimit.WorkingBytes, BudgetLimit.Accuracy], selection.ViolationsOf(W1A1).Select(v => v.Limit));
        Assert.Equal("latency not measured (call MeasureLatency)", selection.ViolationsOf(W1A2)[0].Reason);
    }

    [Fact]
    public void BudgetLimitsAreValidatedWhenSet()
    {
        Assert.Equal("MaxLatency", Assert.Throws<ArgumentOutOfRangeException>(() => new PrecisionBudget { MaxLatency = TimeSpan.Zero }).ParamName);
        Assert.Equal("MaxWorkingBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new PrecisionBudget { MaxWorkingBytes = -1 }).ParamName);
        Assert.Equal("MaxEnergyPerImage", Assert.Throws<ArgumentOutOfRangeException>(() => new PrecisionBudget { MaxEnergyPerImage = double.NaN }).ParamName);
        var accuracy = Assert.Throws<ArgumentOutOfRangeException>(() => new PrecisionBudget { MinAccuracy = 90 });
        Assert.StartsWith("PrecisionBudget.MinAccuracy must be a fraction from 0 to 1 (0.9 for 90 %).", accuracy.Message);
        Assert.Equal("no limits", new PrecisionBudget().ToString());
    }

    [Fact]
    public void ProfilesMustNameEachSwitchOnce()
    {
        Assert.Throws<ArgumentException>(() => PrecisionSelector.Select([], new PrecisionBudget()));
        var twice = Assert.Throws<ArgumentException>(() => PrecisionSelector.Select([Profiles[0], Profiles[0]], new PrecisionBudget()));
        Assert.StartsWith("The profiles list a switch more than once.", twice.Message);
    }

    [Fact]
    public void EnergyEstimateIsTheMacsTimesTheHorowitzFigures()
    {
        var cost = new SwitchablePrecision.Reporting.SwitchCost(W1A2, 0, new Dictionary<int, long>(), 0, 0, BinaryMacs: 1_000_000, LowBitMacs: 2_000_000, FullPrecisionMacs: 100_000);
        // 1e6 * 0.03 pJ + 2e6 * 0.23 pJ + 1e5 * 4.6 pJ = 30,000 + 460,000 + 460,000 pJ.
        Assert.Equal(950_000e-12, OperationEnergyEstimates.EstimatedJoulesPerImage(cost), 15);
    }
}

public sealed class StoredAccuraciesTests
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 32)];

    [Fact]
    public void KnownAccuraciesRoundTripAndUnknownOnesAreLeftOut()
    {
        Assert.Null(StoredAccuracies.ToStored(Switches, [null, null]));
        var stored = StoredAccuracies.ToStored(Switches, [0.5, null]);
        Assert.Equal(new Dictionary<string, double> { ["W1A1"] = 0.5 }, stored);
        Assert.Equal([0.5, null], StoredAccuracies.FromStored(stored, Switches));
        Assert.Equal([null, null], StoredAccuracies.FromStored(null, Switches));
    }

    [Fact]
    public void AStoredAccuracyOfAnotherSwitchOrOutOfRangeIsRefusedNamingIt()
    {
        var other = Assert.Throws<InvalidDataException>(() => StoredAccuracies.FromStored(new Dictionary<string, double> { ["W2A2"] = 0.5 }, Switches));
        Assert.Equal("The model's SwitchAccuracies entry 'W2A2' is not one of its switches (W1A1, W1A32).", other.Message);
        var range = Assert.Throws<InvalidDataException>(() => StoredAccuracies.FromStored(new Dictionary<string, double> { ["W1A32"] = 1.5 }, Switches));
        Assert.Equal("The model's SwitchAccuracies entry for W1A32 is 1.5; expected an accuracy from 0 to 1.", range.Message);
    }
}
