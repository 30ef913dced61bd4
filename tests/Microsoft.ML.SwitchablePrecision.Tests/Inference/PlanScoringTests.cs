using Microsoft.ML.SwitchablePrecision.Tests.MlNet;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

[Collection(TrainedPipelineCollection.Name)]
public sealed class PlanScoringTests(TrainedPipelineFixture fixture)
{
    private List<ImageRow> TestRows => fixture.Context.Data
        .CreateEnumerable<ImageRow>(fixture.Test, reuseRowObject: false).Take(20).ToList();

    [Fact]
    public void PredictionEngineOnThePlanAgreesWithTheTorchSharpPathAtEverySwitch()
    {
        var spNet = fixture.SpNet;
        var original = (spNet.Precision, spNet.UseInferencePlans);
        var rows = TestRows;
        using var engine = fixture.CreateEngine();
        try
        {
            foreach (var precision in spNet.Switches)
            {
                spNet.Precision = precision;
                spNet.UseInferencePlans = false;
                var reference = rows.Select(r => engine.Predict(r).Score.ToArray()).ToList();
                spNet.UseInferencePlans = true;
                var planned = rows.Select(r => engine.Predict(r).Score.ToArray()).ToList();
                for (int i = 0; i < rows.Count; i++)
                    for (int c = 0; c < reference[i].Length; c++)
                        Assert.True(Math.Abs(reference[i][c] - planned[i][c]) <= 1e-4f, $"{precision} row {i} class {c}: {planned[i][c]} against {reference[i][c]}");
            }
        }
        finally
        {
            (spNet.Precision, spNet.UseInferencePlans) = original;
        }
    }

    [Fact]
    public async Task EightPredictingThreadsWhileANinthSwitchesGetOnlyResultsOfSomeSwitch()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var row = TestRows[3];
        using var reference = fixture.CreateEngine();
        var expected = spNet.Switches.Select(p => { spNet.Precision = p; return reference.Predict(row).Score.ToArray(); }).ToList();
        try
        {
            using var stop = new CancellationTokenSource();
            int mismatches = 0, predictions = 0;
            var switcher = Task.Run(() =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++) spNet.Precision = spNet.Switches[i % spNet.Switches.Count];
            });
            var predictors = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                using var engine = fixture.CreateEngine();
                for (int i = 0; i < 30; i++)
                {
                    var score = engine.Predict(row).Score;
                    Interlocked.Increment(ref predictions);
                    if (!expected.Any(e => e.Zip(score).All(pair => Math.Abs(pair.First - pair.Second) <= 1e-5f)))
                        Interlocked.Increment(ref mismatches);
                }
            })).ToArray();
            await Task.WhenAll(predictors);
            stop.Cancel();
            await switcher;
            Assert.Equal(240, predictions);
            Assert.Equal(0, mismatches);
        }
        finally
        {
            spNet.Precision = original;
        }
    }
}
