using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training.Checkpoints;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

public sealed class RecipeOptionTests
{
    public sealed class PixelRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    [Theory]
    [InlineData(-0.1, "SpNetOptions.FullPrecisionWarmStart is -0.1; expected at least 0 and below 1 (a fraction of the training steps).")]
    [InlineData(1.0, "SpNetOptions.FullPrecisionWarmStart is 1; expected at least 0 and below 1 (a fraction of the training steps).")]
    [InlineData(double.NaN, "SpNetOptions.FullPrecisionWarmStart is NaN; expected at least 0 and below 1 (a fraction of the training steps).")]
    public void AWarmStartOutsideZeroToOneIsRejectedWhenTheEstimatorIsCreated(double fraction, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.SpNet(new SpNetOptions { FullPrecisionWarmStart = fraction }));
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void ABlankCheckpointFolderIsRejectedWhenTheEstimatorIsCreated()
    {
        var error = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.SpNet(new SpNetOptions { CheckpointFolder = "" }));
        Assert.StartsWith("SpNetOptions.CheckpointFolder is ''; expected null (no checkpoints) or a folder path.", error.Message);
    }

    [Fact]
    public void AReestimationBatchSizeBelowOneIsRefusedWithTheUsersName()
    {
        var error = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.SpNet(new SpNetOptions { BatchNormReestimationBatchSize = 0 }));
        Assert.StartsWith("SpNetOptions.BatchNormReestimationBatchSize is 0; expected at least 1.", error.Message);
    }

    [Fact]
    public void RecipeSettingsAreStoredAndModelsWithoutThemLoadWithTheBehaviourOfTheirTime()
    {
        var network = new NetworkOptions { Switches = [new Precision(1, 1), Precision.FullPrecision] };
        var settings = StoredOptions.ToSettings(new SpNetOptions
        {
            FullPrecisionWarmStart = 0.25, DecayQuantizedWeights = false, BatchNormReestimationBatches = 4, BatchNormReestimationBatchSize = 96,
            BatchSize = 24, CheckpointFolder = "/tmp/x",
        });

        var restored = StoredOptions.FromSettings(settings, network);
        Assert.Equal(0.25, restored.FullPrecisionWarmStart);
        Assert.False(restored.DecayQuantizedWeights);
        Assert.Equal((4, 96), (restored.BatchNormReestimationBatches, restored.BatchNormReestimationBatchSize));
        Assert.Null(restored.CheckpointFolder);
        Assert.DoesNotContain(nameof(SpNetOptions.CheckpointFolder), settings.Keys);

        settings.Remove(nameof(SpNetOptions.FullPrecisionWarmStart));
        settings.Remove(nameof(SpNetOptions.DecayQuantizedWeights));
        settings.Remove(nameof(SpNetOptions.BatchNormReestimationBatches));
        settings.Remove(nameof(SpNetOptions.BatchNormReestimationBatchSize));
        var old = StoredOptions.FromSettings(settings, network);
        Assert.Equal(0, old.FullPrecisionWarmStart);
        Assert.True(old.DecayQuantizedWeights);
        Assert.Equal(0, old.BatchNormReestimationBatches);
        Assert.Equal(24, old.BatchNormReestimationBatchSize);
    }

    [Fact]
    public void AFitWithACheckpointFolderWritesItsCheckpointAndARepeatedFitResumesToTheSameModel()
    {
        using var folder = new TempFolder();
        var options = new SpNetOptions
        {
            Switches = [new(1, 1), new(32, 32)],
            Epochs = 1,
            BatchSize = 25,
            WidthMultiplier = 0.25,
            FullPrecisionWarmStart = 0.5,
            DecayQuantizedWeights = false,
            CheckpointFolder = folder.Path,
        };
        var first = FirstScores(options);
        Assert.True(File.Exists(Path.Combine(folder.Path, CheckpointFile.FileName)));
        int reports = 0;
        options.MetricsCallback = _ => reports++;

        var second = FirstScores(options);

        Assert.Equal(0, reports);
        Assert.Equal(first, second);
    }

    private static float[] FirstScores(SpNetOptions options)
    {
        var ml = new MLContext(seed: 5);
        var data = SubsetData.Balanced(SubsetData.Train, 10);
        var rows = Enumerable.Range(0, data.Count).Select(i => new PixelRow
        {
            Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray(),
            Label = data.ClassNames[data.Labels[i]],
        }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);
        using var model = ml.Transforms.SpNet(options).Fit(keyed);
        return ml.Data.CreateEnumerable<ScoreRow>(model.Transform(keyed), reuseRowObject: false).First().Score;
    }
}
