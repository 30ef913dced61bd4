using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

public sealed class TrainingBudgetWarningTests
{
    [Fact]
    public void TooFewOptimizerStepsAreWarnedAboutWithTheCountAndWhatToChange()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var rows = ml.Data.LoadFromEnumerable(Rows(40, 2));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);

        using var model = ml.Transforms.SpNet(new SpNetOptions
        {
            Switches = [Precision.FullPrecision], Epochs = 2, BatchSize = 16, WidthMultiplier = 0.25,
        }).Fit(data);

        lock (warnings)
            Assert.Contains(warnings, w => w.Contains(
                "Training will take only 6 optimizer step(s) (40 images, BatchSize 16, Epochs 2); fewer than 50 steps usually leave every switch near chance. " +
                "Raise Epochs or lower BatchSize, or train on more images.", StringComparison.Ordinal));
    }
}
