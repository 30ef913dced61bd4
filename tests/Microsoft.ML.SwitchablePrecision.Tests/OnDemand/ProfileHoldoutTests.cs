using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace Microsoft.ML.SwitchablePrecision.Tests.OnDemand;

public sealed class ProfileHoldoutTests
{
    // Rows whose single pixel is their index, so a split can be checked row by row.
    private static ImageDataset Rows(int count) =>
        new(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), Enumerable.Range(0, count).Select(i => i % 2).ToArray(), 1, 1, 1, 2);

    [Fact]
    public void TheDefaultHoldsBackFivePercentFromTwoThousandRowsAndNothingBelow()
    {
        var (train, profile) = ProfileHoldout.Split(Rows(2000), validation: null, option: null, seed: 7);
        Assert.Equal(100, profile!.Count);
        Assert.Equal(1900, train.Count);
        Assert.Empty(train.Pixels.Intersect(profile.Pixels)); // training never sees a held-out row
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (float)i), train.Pixels.Concat(profile.Pixels).Order());

        var (small, none) = ProfileHoldout.Split(Rows(1999), validation: null, option: null, seed: 7);
        Assert.Null(none);
        Assert.Equal(1999, small.Count);

        var (large, held) = ProfileHoldout.Split(Rows(60000), validation: null, option: null, seed: 7);
        Assert.Equal((57000, 3000), (large.Count, held!.Count));
    }

    [Fact]
    public void AnExplicitFractionIsHeldBackAtAnySizeAndZeroOrAValidationSetHoldsNothing()
    {
        var (train, profile) = ProfileHoldout.Split(Rows(120), validation: null, option: 0.25, seed: 7);
        Assert.Equal((90, 30), (train.Count, profile!.Count));
        Assert.Equal(profile.Pixels, ProfileHoldout.Split(Rows(120), null, 0.25, seed: 7).Profile!.Pixels); // seeded: the same rows again

        Assert.Null(ProfileHoldout.Split(Rows(5000), validation: null, option: 0, seed: 7).Profile);
        var validation = Rows(10);
        var (all, given) = ProfileHoldout.Split(Rows(5000), validation, option: null, seed: 7);
        Assert.Same(validation, given);
        Assert.Equal(5000, all.Count);
    }
}
