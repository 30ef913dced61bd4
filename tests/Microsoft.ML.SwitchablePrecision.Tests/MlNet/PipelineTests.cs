using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

[Collection(TrainedPipelineCollection.Name)]
public sealed class PipelineTests(TrainedPipelineFixture fixture)
{
    [Fact]
    public void EvaluateGivesAccuracyWellAboveChanceForEverySwitch()
    {
        var evaluations = fixture.Context.MulticlassClassification.EvaluateSwitches(fixture.Model, fixture.Test);

        Assert.Equal(TrainedPipelineFixture.Switches, evaluations.Select(e => e.Precision));
        foreach (var evaluation in evaluations)
            Assert.True(evaluation.Metrics.MicroAccuracy > 0.35,
                $"{evaluation.Precision}: accuracy {evaluation.Metrics.MicroAccuracy:P1} on 10 classes (chance 10%)");
        Assert.Equal(TrainedPipelineFixture.Switches[^1], fixture.SpNet.Precision);
    }

    [Fact]
    public void PlainEvaluateWorksOnTheDefaultColumnsAtTheActivePrecision()
    {
        var metrics = fixture.Context.MulticlassClassification.Evaluate(fixture.Model.Transform(fixture.Test));
        var perSwitch = fixture.Context.MulticlassClassification.EvaluateSwitches(fixture.Model, fixture.Test);

        Assert.Equal(perSwitch.Single(e => e.Precision == fixture.SpNet.Precision).Metrics.MicroAccuracy, metrics.MicroAccuracy);
        Assert.Equal(10, metrics.ConfusionMatrix.NumberOfClasses);
    }

    [Fact]
    public void TransformerEvaluateSwitchesMatchesThePipelineEvaluation()
    {
        var preprocessed = TrainedPipelineFixture.Preprocessing(fixture.Context).Fit(fixture.Train).Transform(fixture.Test);
        var direct = fixture.SpNet.EvaluateSwitches(preprocessed);
        var viaPipeline = fixture.Context.MulticlassClassification.EvaluateSwitches(fixture.Model, fixture.Test);

        Assert.Equal(viaPipeline.Select(e => e.Metrics.MicroAccuracy), direct.Select(e => e.Metrics.MicroAccuracy));
    }

    [Fact]
    public void MapKeyToValueGivesTheOriginalClassNames()
    {
        var predicted = fixture.Model.Transform(fixture.Test).GetColumn<string>("PredictedClass").ToList();

        Assert.Equal(300, predicted.Count);
        Assert.All(predicted, name => Assert.Contains(name, FashionMnist.ClassNames));
        Assert.True(predicted.Distinct().Count() >= 5, "predictions should cover most classes");
    }

    [Fact]
    public void ScoreIsAProbabilityVectorWithSlotNamesAndPredictedLabelIsItsArgMax()
    {
        var output = fixture.Model.Transform(fixture.Test);
        var score = output.Schema["Score"];
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        score.GetSlotNames(ref slotNames);
        Assert.Equal(10, ((VectorDataViewType)score.Type).Size);
        Assert.Equal(fixture.SpNet.ClassNames, slotNames.DenseValues().Select(v => v.ToString()));

        var scores = output.GetColumn<float[]>("Score").ToList();
        var keys = output.GetColumn<uint>("PredictedLabel").ToList();
        for (int i = 0; i < scores.Count; i++)
        {
            Assert.Equal(1.0, scores[i].Sum(), 4);
            Assert.Equal((uint)Array.IndexOf(scores[i], scores[i].Max()) + 1, keys[i]);
        }
    }

    [Fact]
    public void TrainingReportsToTheLogAndTheMetricsCallback()
    {
        List<string> epochLines;
        lock (fixture.Log)
            epochLines = fixture.Log.Where(e => e.Source.Contains("SpNet") && e.Message.Contains("Epoch ")).Select(e => e.Message).ToList();
        Assert.Equal(fixture.Options.Epochs, epochLines.Count);
        Assert.All(epochLines, line => Assert.Contains("W1A1 loss", line));

        List<SwitchablePrecision.Training.TrainingProgress> epochs;
        lock (fixture.Progress) epochs = fixture.Progress.Where(p => p.IsEpochEnd).ToList();
        Assert.Equal(Enumerable.Range(1, fixture.Options.Epochs), epochs.Select(p => p.Epoch));
        Assert.All(epochs, p => Assert.Equal(TrainedPipelineFixture.Switches, p.Train.Select(m => m.Precision)));
        Assert.True(fixture.Progress.Count > fixture.Options.Epochs, "step-level progress is reported too");
    }

    [Fact]
    public void SwitchingPrecisionChangesScores()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        try
        {
            spNet.Precision = Precision.Parse("W1A1");
            var binary = TrainedPipelineFixture.Scores(fixture.Model, fixture.Test);
            spNet.Precision = Precision.Parse("W1A32");
            var binaryConnect = TrainedPipelineFixture.Scores(fixture.Model, fixture.Test);

            Assert.Equal(binary.Count, binaryConnect.Count);
            Assert.Contains(Enumerable.Range(0, binary.Count), i => !binary[i].SequenceEqual(binaryConnect[i]));
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    [Fact]
    public void ACursorKeepsThePrecisionItWasCreatedWith()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        try
        {
            spNet.Precision = new Precision(1, 1);
            var expected = TrainedPipelineFixture.Scores(fixture.Model, fixture.Test);
            var view = fixture.Model.Transform(fixture.Test);
            using var cursor = view.GetRowCursor([view.Schema["Score"]]);
            var getter = cursor.GetGetter<VBuffer<float>>(view.Schema["Score"]);
            var value = default(VBuffer<float>);
            int row = 0;
            while (cursor.MoveNext())
            {
                if (row == 1) spNet.Precision = new Precision(1, 32);
                getter(ref value);
                Assert.Equal(expected[row], value.DenseValues().ToArray());
                row++;
            }
            Assert.Equal(expected.Count, row);
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    [Fact]
    public void SettingASwitchTheModelWasNotTrainedWithThrowsAndListsTheValidOnes()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.SpNet.Precision = new Precision(2, 2));

        Assert.Contains("W2A2", error.Message);
        Assert.Contains("W1A1, W1A2, W1A4, W1A32", error.Message);
        Assert.Equal(TrainedPipelineFixture.Switches[^1], fixture.SpNet.Precision);
    }

    [Fact]
    public void ThePrecisionReportCountsBinaryOperationsOnlyForW1A1()
    {
        var report = fixture.SpNet.GetPrecisionReport();
        var byPrecision = report.Switches.ToDictionary(s => s.Precision);

        Assert.True(byPrecision[new(1, 1)].BinaryMacs > 0);
        Assert.Equal(0, byPrecision[new(1, 2)].BinaryMacs);
        Assert.True(byPrecision[new(1, 2)].LowBitMacs > 0);
        Assert.Equal(0, byPrecision[new(1, 32)].BinaryMacs + byPrecision[new(1, 32)].LowBitMacs);
        Assert.All(report.Switches, s => Assert.Equal(report.Switches[0].TotalMacs, s.TotalMacs));
        Assert.True(byPrecision[new(1, 1)].PackedWeightBytes < byPrecision[new(1, 1)].Float32WeightBytes / 8,
            "1-bit weights (with the full-precision first and last layers) pack well below float32");
        Assert.Contains("W1A1", report.ToTable());
    }
}
