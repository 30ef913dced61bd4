using Microsoft.ML.Data;
using static Microsoft.ML.SwitchablePrecision.Tests.MlNet.InputValidationTests;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

// The README's promises about bad rows: skipped (and counted) in training, NaN scores and a missing label at scoring.
public sealed class BadRowTests
{
    private sealed class Scored
    {
        public float[] Score { get; set; } = [];

        [KeyType(10)]
        public uint PredictedLabel { get; set; }
    }

    // Labels become keys with the class set of the clean rows, so a label outside it becomes the missing key 0.
    private static IDataView Keyed(MLContext ml, IEnumerable<PixelRow> keyRows, IEnumerable<PixelRow> rows) =>
        ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(keyRows)).Transform(ml.Data.LoadFromEnumerable(rows));

    [Fact]
    public void RowsWithAMissingLabelOrNonFinitePixelsAreSkippedInTrainingAsIfTheyWereNotThere()
    {
        var clean = RealRows(perClass: 3);
        var withBadRows = new List<PixelRow>(clean);
        var nanPixel = new PixelRow { Features = (float[])clean[4].Features.Clone(), Label = clean[4].Label };
        nanPixel.Features[100] = float.NaN;
        var infinitePixel = new PixelRow { Features = (float[])clean[9].Features.Clone(), Label = clean[9].Label };
        infinitePixel.Features[0] = float.NegativeInfinity;
        withBadRows.Insert(3, new PixelRow { Features = clean[0].Features, Label = "not a class of the key" });
        withBadRows.Insert(11, nanPixel);
        withBadRows.Insert(17, new PixelRow { Features = clean[2].Features, Label = "another unknown label" });
        withBadRows.Insert(20, infinitePixel);

        var (fromBad, messages) = ScoresAfterFitting(clean, withBadRows);
        var (fromClean, _) = ScoresAfterFitting(clean, clean);

        Assert.Contains(messages, m => m.Contains("Skipped 4 training row(s): 2 with a missing label in column 'Label', 2 with NaN or infinite values in column 'Features'."));
        // Same seed and the same usable rows: the skipped rows left no trace in the weights.
        Assert.Equal(fromClean, fromBad);
    }

    // Fits on trainRows with a fresh MLContext(seed: 5) and scores the clean rows; also returns the log messages.
    private static (List<float[]> Scores, List<string> Messages) ScoresAfterFitting(List<PixelRow> clean, List<PixelRow> trainRows)
    {
        var messages = new List<string>();
        var ml = new MLContext(seed: 5);
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        using var model = ml.Transforms.SpNet(Small()).Fit(Keyed(ml, clean, trainRows));
        var scores = ml.Data.CreateEnumerable<Scored>(model.Transform(Keyed(ml, clean, clean)), reuseRowObject: false).Select(r => r.Score).ToList();
        lock (messages) return (scores, messages.ToList());
    }

    [Fact]
    public void AtScoringARowWithNonFinitePixelsGetsNaNScoresAndAMissingLabelWhileItsNeighboursAreScored()
    {
        var ml = new MLContext(seed: 5);
        var rows = RealRows(perClass: 2);
        using var model = ml.Transforms.SpNet(Small()).Fit(Keyed(ml, rows, rows));
        var scoring = rows.Take(6).Select(r => new PixelRow { Features = (float[])r.Features.Clone(), Label = r.Label }).ToList();
        scoring[1].Features[300] = float.NaN;
        scoring[4].Features[5] = float.PositiveInfinity;

        foreach (var precision in model.Switches)
        {
            model.Precision = precision;
            var expected = ml.Data.CreateEnumerable<Scored>(model.Transform(Keyed(ml, rows, rows.Take(6))), reuseRowObject: false).ToList();
            var transformed = ml.Data.CreateEnumerable<Scored>(model.Transform(Keyed(ml, rows, scoring)), reuseRowObject: false).ToList();
            using var engine = ml.Model.CreatePredictionEngine<PixelRow, Scored>(model, new PredictionEngineOptions { OwnsTransformer = false });
            var predicted = scoring.Select(engine.Predict).ToList();

            foreach (var output in new[] { transformed, predicted })
                for (int i = 0; i < scoring.Count; i++)
                    if (i is 1 or 4)
                    {
                        Assert.Equal(10, output[i].Score.Length);
                        Assert.All(output[i].Score, s => Assert.True(float.IsNaN(s), $"{precision}, row {i}: score {s}"));
                        Assert.Equal(0u, output[i].PredictedLabel);
                    }
                    else
                    {
                        Assert.Equal(expected[i].PredictedLabel, output[i].PredictedLabel);
                        Assert.InRange(output[i].PredictedLabel, 1u, 10u);
                        Assert.Equal(1.0, output[i].Score.Sum(), 4);
                    }
            // The bad rows do not disturb the rest of their batch (up to float rounding of a differently sized batch).
            foreach (int i in new[] { 0, 2, 3, 5 })
                Assert.All(expected[i].Score.Zip(transformed[i].Score), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
        }
    }
}
