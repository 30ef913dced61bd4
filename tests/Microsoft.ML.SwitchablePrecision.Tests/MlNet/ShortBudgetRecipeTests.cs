using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Tests.OnDemand;
using Xunit.Abstractions;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>
/// The default recipe on a short budget (issue 16): a user who leaves every training option at its default gets low-bit
/// switches that learn nearly as fast as a full-precision network of the same library, budget and data.
/// </summary>
public sealed class ShortBudgetRecipeTests(ITestOutputHelper output)
{
    private static readonly Precision[] BinaryWeightFamily = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];

    // 1,000 real Fashion-MNIST images, 5 epochs of batch 32 (160 steps), ResNet-20 at width x0.25; accuracy on 500
    // held-out images. Measured with the defaults of 4 December (Adam 0.01, no weight decay, a 10% float warm start,
    // BatchNorm re-estimated in batches of 128 drawn from the whole training set): SP-Net W1A1 / W1A2 / W1A4 / W1A32
    // 57.4 / 57.0 / 57.0 / 56.2 %, the dedicated W32A32 network of the same recipe 74.6 % (gaps 17.2 / 17.6 / 17.6 /
    // 18.4 points); the same run without the warm start 54.6 / 56.6 / 55.8 / 60.0 % (2 December, before the
    // re-estimation batch of its own: 59.4 / 58.4 / 61.2 / 65.2 % against 72.6 %). At 160 steps the float network
    // still learns faster than the switches (docs/results/short-budget/README.md), so the gap is wide; the assertions (at least 40 %, chance is 10 %; at most
    // 20 points behind) catch a recipe under which a switch stops learning.
    [Fact]
    public void WithTheDefaultRecipeEverySwitchLearnsAndStaysNearAFloatNetworkOfTheSameBudget()
    {
        var ml = new MLContext(seed: 1);
        var train = SwitchProfilesTests.Rows(ml, SubsetData.Balanced(SubsetData.Train, 100));
        var test = SwitchProfilesTests.Rows(ml, SubsetData.Balanced(SubsetData.Test, 50));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var keyedTrain = keys.Transform(train);
        var keyedTest = keys.Transform(test);

        var spNetAccuracies = Accuracies(ml, keyedTrain, keyedTest, BinaryWeightFamily);
        double floatAccuracy = Accuracies(ml, keyedTrain, keyedTest, [Precision.FullPrecision])[Precision.FullPrecision];

        output.WriteLine($"dedicated W32A32 {floatAccuracy:P1}; SP-Net " + string.Join(", ", spNetAccuracies.Select(a => $"{a.Key} {a.Value:P1}")));
        foreach (var (precision, accuracy) in spNetAccuracies)
        {
            Assert.True(accuracy >= 0.40, $"{precision}: {accuracy:P1} on a short budget");
            Assert.True(accuracy >= floatAccuracy - 0.20, $"{precision}: {accuracy:P1} against the float network's {floatAccuracy:P1}");
        }
    }

    private static Dictionary<Precision, double> Accuracies(MLContext ml, IDataView train, IDataView test, Precision[] switches)
    {
        using var spNet = ml.Transforms.SpNet(new SpNetOptions { Switches = switches, Epochs = 5, BatchSize = 32, WidthMultiplier = 0.25 }).Fit(train);
        return ml.MulticlassClassification.EvaluateSwitches(spNet, test).ToDictionary(r => r.Precision, r => r.Metrics.MicroAccuracy);
    }
}
