using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

[Collection(TrainedPipelineCollection.Name)]
public sealed class AtPrecisionTests(TrainedPipelineFixture fixture)
{
    [Fact]
    public void AViewAtAPrecisionScoresLikeTheModelSetToItAndIgnoresLaterChangesOfTheSharedPrecision()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var features = Features();
        try
        {
            foreach (var precision in spNet.Switches)
            {
                var view = spNet.AtPrecision(precision);
                Assert.Equal(precision, view.Precision);
                Assert.Same(spNet, view.Model);
                spNet.Precision = precision;
                var expected = TrainedPipelineFixture.Scores(spNet, features);
                spNet.Precision = spNet.Switches.First(p => p != precision);
                var scored = view.Transform(features);
                spNet.Precision = spNet.Switches.Last(p => p != precision);
                Assert.Equal(expected, scored.GetColumn<float[]>("Score").ToList());
            }
            Assert.Equal(spNet.Switches.Last(p => p != spNet.Switches[^1]), spNet.Precision);
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    [Fact]
    public void APredictionEngineOnAViewPredictsAtTheViewsPrecision()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var rows = fixture.Context.Data.CreateEnumerable<FeatureRow>(Features(), reuseRowObject: false).Take(5).ToList();
        try
        {
            var low = spNet.Switches[0];
            spNet.Precision = low;
            var expected = rows.Select(r => Predict(spNet, r)).ToList();
            spNet.Precision = spNet.Switches[^1];
            var view = spNet.AtPrecision(low);
            Assert.Equal(expected, rows.Select(r => Predict(view, r)).ToList());
            Assert.Equal(spNet.Switches[^1], spNet.Precision);
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    [Fact]
    public void SavingAViewSavesTheModelWithTheViewsPrecisionActive()
    {
        var spNet = fixture.SpNet;
        var path = Path.Combine(fixture.Root, "view.zip");
        var features = Features();
        var view = spNet.AtPrecision(spNet.Switches[1]);
        fixture.Context.Model.Save(view, features.Schema, path);

        var loaded = SpNetCatalog.FindSpNet(fixture.Context.Model.Load(path, out _))!;
        using var dispose = loaded;
        Assert.Equal(spNet.Switches[1], loaded.Precision);
        Assert.Equal(TrainedPipelineFixture.Scores(view, features), TrainedPipelineFixture.Scores(loaded, features));
    }

    [Fact]
    public void APrecisionTheModelWasNotTrainedWithIsRefusedByName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.SpNet.AtPrecision(new Precision(8, 8)));
        Assert.StartsWith("Switch W8A8 is not one of this network's switches: W1A1, W1A2, W1A4, W1A32.", error.Message);
    }

    [Fact]
    public void EvaluatingEverySwitchLeavesTheSharedPrecisionAloneAndMatchesEvaluatingAtThatPrecision()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var ml = fixture.Context;
        var evaluations = ml.MulticlassClassification.EvaluateSwitches(fixture.Model, fixture.Test);
        Assert.Equal(original, spNet.Precision);
        try
        {
            foreach (var evaluation in evaluations)
            {
                spNet.Precision = evaluation.Precision;
                var direct = ml.MulticlassClassification.Evaluate(fixture.Model.Transform(fixture.Test));
                Assert.Equal(direct.MicroAccuracy, evaluation.Metrics.MicroAccuracy);
                Assert.Equal(direct.LogLoss, evaluation.Metrics.LogLoss, 12);
            }
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    private float[] Predict(ITransformer model, FeatureRow row)
    {
        using var engine = fixture.Context.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return engine.Predict(row).Score;
    }

    // The test images as the SP-Net sees them: the pipeline's transformers before it.
    private IDataView Features()
    {
        var before = ((IEnumerable<ITransformer>)fixture.Model).TakeWhile(t => t is not SwitchablePrecisionTransformer).ToArray();
        return new TransformerChain<ITransformer>(before).Transform(fixture.Test);
    }

    private sealed class FeatureRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
