using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>A feature row that is not exactly C*H*W values is rejected, never mixed with another row's pixels.</summary>
public sealed class FeatureRowTests
{
    private static readonly Precision[] Switches = [new(1, 1), Precision.FullPrecision];
    private readonly MLContext _ml = new(seed: 1);

    public static TheoryData<string, int?> BadLengths => new()
    {
        { "null", null }, { "empty", 0 }, { "short", 100 }, { "long", 785 },
    };

    private static float[]? Pixels(int? length) => length is null ? null : Enumerable.Range(0, length.Value).Select(i => (i % 7) / 7f).ToArray();

    private static void AssertNamesTheRow(Exception error, int? length, long row)
    {
        Assert.StartsWith($"Feature column 'Features' of row {row} holds {length ?? 0} values; expected exactly 784 (C*H*W of the model's 1x28x28 images).",
            error.Message);
    }

    [Theory]
    [MemberData(nameof(BadLengths))]
    public void APredictionEngineRejectsARowOfTheWrongLengthAndKeepsNoStalePixels(string kind, int? length)
    {
        using var spNet = UntrainedSpNet(_ml, 10, Switches);
        var engine = _ml.Model.CreatePredictionEngine<Row, Prediction>(spNet, new PredictionEngineOptions { OwnsTransformer = false });
        var good = Rows(1, 10)[0];
        var before = engine.Predict(good).Score;

        var error = Assert.Throws<InvalidOperationException>(() => engine.Predict(new Row { Features = Pixels(length) }));

        AssertNamesTheRow(error, length, row: 1);
        Assert.Equal(before, engine.Predict(good).Score);
        Assert.NotNull(kind);
    }

    [Theory]
    [MemberData(nameof(BadLengths))]
    public void ATransformBatchRejectsARowOfTheWrongLengthInALaterBatch(string kind, int? length)
    {
        using var spNet = UntrainedSpNet(_ml, 10, Switches, scoringBatchSize: 2);
        var rows = Rows(5, 10);
        rows[3].Features = Pixels(length);

        var error = Assert.Throws<InvalidOperationException>(() => Scores(spNet, _ml.Data.LoadFromEnumerable(rows)).Count);

        AssertNamesTheRow(error, length, row: 3);
        Assert.NotNull(kind);
    }

    [Fact]
    public void TrainingRejectsARowOfTheWrongLength()
    {
        var rows = Rows(20, 2);
        rows[4].Features = new float[10];
        var data = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(rows)).Transform(_ml.Data.LoadFromEnumerable(rows));

        var error = Assert.Throws<InvalidOperationException>(() =>
            _ml.Transforms.SpNet(new SpNetOptions { Switches = Switches, Epochs = 1, WidthMultiplier = 0.25 }).Fit(data));

        Assert.StartsWith("Feature column 'Features' of row 4 holds 10 values; expected exactly 784", error.Message);
    }

    [Fact]
    public void OverflowingPixelsGiveMissingScoresAndAMissingLabelLikeNaN()
    {
        using var spNet = UntrainedSpNet(_ml, 10, Switches);
        var rows = Rows(3, 10);
        rows[1].Features = Enumerable.Repeat(float.MaxValue, 784).ToArray();
        rows[2].Features![0] = float.NaN;
        var engine = _ml.Model.CreatePredictionEngine<Row, Prediction>(spNet, new PredictionEngineOptions { OwnsTransformer = false });
        var batch = _ml.Data.CreateEnumerable<Prediction>(spNet.Transform(_ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToList();

        foreach (var precision in Switches)
        {
            spNet.Precision = precision;
            foreach (var row in rows.Skip(1))
            {
                var prediction = engine.Predict(row);
                Assert.All(prediction.Score, s => Assert.True(float.IsNaN(s)));
                Assert.Equal(0u, prediction.PredictedLabel);
            }
        }
        Assert.All(batch.Skip(1), p => Assert.Equal(0u, p.PredictedLabel));
        Assert.All(batch.Skip(1), p => Assert.All(p.Score, s => Assert.True(float.IsNaN(s))));
        Assert.InRange(batch[0].PredictedLabel, 1u, 10u);
        Assert.Equal(1.0, batch[0].Score.Sum(), 4);
    }
}
