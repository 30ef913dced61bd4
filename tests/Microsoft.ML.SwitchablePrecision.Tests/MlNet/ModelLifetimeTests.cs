using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>
/// ML.NET disposes the whole model when a <c>PredictionEngine</c> created with default options is disposed; the
/// per-request pattern of ML.NET's docs must still work, and a model that was really released must say so.
/// </summary>
[Collection(TrainedPipelineCollection.Name)]
public sealed class ModelLifetimeTests(TrainedPipelineFixture fixture)
{
    private List<ImageRow> Rows(int count) => fixture.Context.Data
        .CreateEnumerable<ImageRow>(fixture.Test, reuseRowObject: false).Take(count).ToList();

    [Fact]
    public void HundredPerRequestEnginesAllSucceedWithTheLongLivedEnginesScores()
    {
        using var model = LoadCopy();
        var rows = Rows(10);
        List<float[]> expected;
        using (var longLived = fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model,
                   new PredictionEngineOptions { OwnsTransformer = false }))
            expected = rows.Select(r => longLived.Predict(r).Score).ToList();

        for (int request = 0; request < 100; request++)
        {
            using var engine = fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model);
            Assert.Equal(expected[request % rows.Count], engine.Predict(rows[request % rows.Count]).Score);
        }

        // The model itself still scores after all hundred engines were disposed.
        Assert.Equal(expected, TrainedPipelineFixture.Scores(model, fixture.Context.Data.LoadFromEnumerable(rows)));
    }

    [Fact]
    public void AnEngineKeepsTheModelAliveAfterTheModelIsDisposedAndTheLastReleaseFreesIt()
    {
        var model = LoadCopy();
        var spNet = SpNetCatalog.FindSpNet(model)!;
        var row = Rows(1)[0];
        var engine = fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model);
        var before = engine.Predict(row).Score;

        model.Dispose();
        Assert.Equal(before, engine.Predict(row).Score);

        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => spNet.Precision = spNet.Switches[0]);
        Assert.Throws<ObjectDisposedException>(() => spNet.UsePackedKernels = false);
        Assert.Throws<ObjectDisposedException>(() => spNet.GetPrecisionReport());
        Assert.Throws<ObjectDisposedException>(() => model.Transform(fixture.Context.Data.LoadFromEnumerable([row])));
        Assert.Throws<ObjectDisposedException>(() =>
            fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model));
    }

    [Fact]
    public void DisposingTheModelWithNoEngineFreesItAtOnce()
    {
        var model = LoadCopy();
        var spNet = SpNetCatalog.FindSpNet(model)!;
        model.Dispose();
        var error = Assert.Throws<ObjectDisposedException>(() => spNet.Precision = spNet.Switches[0]);
        Assert.Contains(nameof(SwitchablePrecisionTransformer), error.Message);
    }

    // A private copy, so disposing it leaves the fixture's shared model alone.
    private TransformerChain<ITransformer> LoadCopy()
    {
        using var stream = new MemoryStream();
        fixture.Context.Model.Save(fixture.Model, fixture.Train.Schema, stream);
        stream.Position = 0;
        return (TransformerChain<ITransformer>)fixture.Context.Model.Load(stream, out _);
    }
}
