using System.Runtime.CompilerServices;
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
        var model = LoadCopy();
        var rows = Rows(10);
        var data = fixture.Context.Data.LoadFromEnumerable(rows);
        var transformed = TrainedPipelineFixture.Scores(model, data);
        List<float[]> expected;
        using (var longLived = fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model,
                   new PredictionEngineOptions { OwnsTransformer = false }))
            expected = rows.Select(r => longLived.Predict(r).Score).ToList();

        for (int request = 0; request < 100; request++)
        {
            using var engine = fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model);
            Assert.Equal(expected[request % rows.Count], engine.Predict(rows[request % rows.Count]).Score);
        }

        // The model itself still scores, exactly as before, after all hundred engines disposed it.
        Assert.Equal(transformed, TrainedPipelineFixture.Scores(model, data));
        SpNetCatalog.FindSpNet(model)!.Precision = fixture.SpNet.Switches[0];
    }

    [Fact]
    public void DisposingTheModelWhileAnEngineIsAliveLeavesBothWorking()
    {
        var model = LoadCopy();
        var row = Rows(1)[0];
        var engine = fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model);
        var before = engine.Predict(row).Score;

        model.Dispose();
        Assert.Equal(before, engine.Predict(row).Score);
        engine.Dispose();
        Assert.Single(TrainedPipelineFixture.Scores(model, fixture.Context.Data.LoadFromEnumerable([row])));
    }

    [Fact]
    public void DisposingTheModelWithNoEngineFreesItAtOnceAndEveryUseSaysSo()
    {
        var model = LoadCopy();
        var spNet = SpNetCatalog.FindSpNet(model)!;
        Assert.Single(TrainedPipelineFixture.Scores(model, fixture.Context.Data.LoadFromEnumerable(Rows(1))));
        model.Dispose();
        AssertReleased(model, spNet);
    }

    [Fact]
    public void OnceItsEnginesAreCollectedTheTransformerCanBeFreed()
    {
        var model = LoadCopy();
        var spNet = SpNetCatalog.FindSpNet(model)!;
        PredictOnceAndDrop(model, Rows(1)[0]);
        spNet.Dispose(); // an engine is still reachable: left alone
        spNet.Precision = spNet.Switches[0];

        GC.Collect();
        GC.WaitForPendingFinalizers();
        spNet.Dispose();
        AssertReleased(model, spNet);
    }

    private void AssertReleased(ITransformer model, SwitchablePrecisionTransformer spNet)
    {
        var error = Assert.Throws<ObjectDisposedException>(() => spNet.Precision = spNet.Switches[0]);
        Assert.Contains(nameof(SwitchablePrecisionTransformer), error.Message);
        Assert.Throws<ObjectDisposedException>(() => spNet.UsePackedKernels = false);
        Assert.Throws<ObjectDisposedException>(() => spNet.GetPrecisionReport());
        Assert.Throws<ObjectDisposedException>(() => model.Transform(fixture.Context.Data.LoadFromEnumerable(Rows(1))));
        Assert.Throws<ObjectDisposedException>(() =>
            fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PredictOnceAndDrop(ITransformer model, ImageRow row) =>
        fixture.Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model,
            new PredictionEngineOptions { OwnsTransformer = false }).Predict(row);

    // A private copy, so disposing it leaves the fixture's shared model alone.
    private TransformerChain<ITransformer> LoadCopy()
    {
        using var stream = new MemoryStream();
        fixture.Context.Model.Save(fixture.Model, fixture.Train.Schema, stream);
        stream.Position = 0;
        return (TransformerChain<ITransformer>)fixture.Context.Model.Load(stream, out _);
    }
}
