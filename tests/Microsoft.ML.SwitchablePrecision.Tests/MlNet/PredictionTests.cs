namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

public sealed class ImagePrediction
{
    public float[] Score { get; set; } = [];

    public string PredictedClass { get; set; } = "";
}

[Collection(TrainedPipelineCollection.Name)]
public sealed class PredictionTests(TrainedPipelineFixture fixture)
{
    private List<ImageRow> TestRows => fixture.Context.Data
        .CreateEnumerable<ImageRow>(fixture.Test, reuseRowObject: false).Take(25).ToList();

    [Fact]
    public void PredictionEngineAgreesWithTransformAtEverySwitch()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var rows = TestRows;
        using var engine = fixture.CreateEngine();
        try
        {
            foreach (var precision in spNet.Switches)
            {
                // The engine was created before the switch: a change applies to its next prediction.
                spNet.Precision = precision;
                var expected = TrainedPipelineFixture.Scores(fixture.Model, fixture.Context.Data.LoadFromEnumerable(rows));
                AssertAgree(precision, expected, rows.Select(r => engine.Predict(r).Score).ToList());
            }
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    [Fact]
    public void ConsecutivePredictionsOfDifferentImagesDiffer()
    {
        var rows = TestRows;
        using var engine = fixture.CreateEngine();

        var first = engine.Predict(rows[0]).Score;
        var second = engine.Predict(rows[1]).Score;
        var firstAgain = engine.Predict(rows[0]).Score;

        Assert.NotEqual(first, second);
        Assert.Equal(first, firstAgain);
    }

    [Fact]
    public async Task SwitchingWhileOtherThreadsPredictNeverMixesPrecisions()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var rows = TestRows.Take(6).ToList();
        var reference = new Dictionary<Precision, List<float[]>>();
        using (var referenceEngine = fixture.CreateEngine())
        {
            foreach (var precision in spNet.Switches)
            {
                spNet.Precision = precision;
                reference[precision] = rows.Select(r => referenceEngine.Predict(r).Score).ToList();
            }
        }

        // Both sides run until the other has done enough: predictions continue until the precision has changed
        // several times under them and they have seen two switches, so a fast engine or a slow switcher cannot end the
        // test early. The deadline only stops a run that can never get there (a precision change that never applies).
        const int PredictionsPerWorker = 40;
        int minimumFlips = 2 * spNet.Switches.Count;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<Precision, bool>();
        int flips = 0;
        var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            using var engine = fixture.CreateEngine();
            for (int i = 0; i < PredictionsPerWorker || Volatile.Read(ref flips) < minimumFlips || seen.Count < 2; i++)
            {
                if (DateTime.UtcNow > deadline) break;
                int row = i % rows.Count;
                var score = engine.Predict(rows[row]).Score;
                var matches = reference.Where(r => r.Value[row].SequenceEqual(score)).Select(r => r.Key).ToList();
                if (matches.Count == 0) failures.Add($"row {row}: a score that matches no single switch");
                else if (matches.Count == 1) seen[matches[0]] = true;
            }
        })).ToArray();
        try
        {
            var all = Task.WhenAll(workers);
            while (!all.IsCompleted)
            {
                spNet.Precision = spNet.Switches[flips % spNet.Switches.Count];
                Interlocked.Increment(ref flips);
                await Task.WhenAny(all, Task.Delay(1));
            }
            await all;
        }
        finally
        {
            spNet.Precision = original;
        }

        Assert.Empty(failures);
        // The predictions really ran while the precision changed under them.
        Assert.True(flips >= spNet.Switches.Count, $"only {flips} precision changes during the predictions");
        Assert.True(seen.Count >= 2, $"the predictions saw only {string.Join(", ", seen.Keys)}");
    }

    // Batched scoring runs oneDNN's float convolution, a single prediction the packed kernel (or a float convolution
    // with another summation order): sums differ in the last bits, and a quantized network is discontinuous, so now
    // and then such a difference moves one activation across a rounding boundary and changes that image's scores by
    // up to a few thousandths (measured: 1 of 25 images at W1A4, 0.008; every other image within 4e-7). Allow one
    // such image per switch; the predicted class and every other image must agree.
    private static void AssertAgree(Precision precision, IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var differing = Enumerable.Range(0, expected.Count)
            .Where(i => expected[i].Zip(actual[i], (a, b) => Math.Abs(a - b)).Max() > 1e-4f).ToList();
        Assert.True(differing.Count <= 1, $"{precision}: {differing.Count} of {expected.Count} images differ by more than 1e-4");
        foreach (int i in differing)
        {
            Assert.Equal(ArgMax(expected[i]), ArgMax(actual[i]));
            Assert.True(expected[i].Zip(actual[i], (a, b) => Math.Abs(a - b)).Max() <= 0.05f, $"{precision}, image {i}: scores differ by more than 0.05");
        }
    }

    private static int ArgMax(float[] scores) => Array.IndexOf(scores, scores.Max());
}
