using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.OnDemand;
using Microsoft.ML.SwitchablePrecision.Tests.Reliability;

namespace Microsoft.ML.SwitchablePrecision.Tests.OnDemand;

public sealed class GovernedTransformerTests
{
    private static readonly Precision W1A1 = new(1, 1), W1A2 = new(1, 2), W1A32 = new(1, 32);

    private static PrecisionGovernorOptions Eager => new() { MinimumSamples = 1, MinimumDwell = TimeSpan.Zero };

    [Fact]
    public void PredictionEngineRowsDriveTheGovernorWhichLogsAndRaisesEveryChange()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.RawMessage); };
        using var spNet = UntrainedModels.UntrainedSpNet(ml, 3, [W1A1, W1A2, W1A32]);
        spNet.Precision = W1A32;
        var changes = new List<PrecisionChangedEventArgs>();
        spNet.PrecisionChanged += (_, e) => changes.Add(e);
        // No prediction takes less than one tick: every observation is an overload.
        spNet.Governor = PrecisionGovernor.ForLatency(TimeSpan.FromTicks(1), options: Eager);
        using var engine = ml.Model.CreatePredictionEngine<UntrainedModels.Row, UntrainedModels.Prediction>(spNet,
            new PredictionEngineOptions { OwnsTransformer = false });
        var row = UntrainedModels.Rows(1, 3)[0];

        for (int i = 0; i < 4; i++) engine.Predict(row);

        Assert.Equal([(W1A32, W1A2), (W1A2, W1A1)], changes.Select(c => (c.Previous, c.Current)));
        Assert.Equal(W1A1, spNet.Precision);
        Assert.All(changes, c => Assert.StartsWith("p95 latency ", c.Reason));
        lock (log) Assert.Contains(log, m => m.StartsWith("Precision W1A32 -> W1A2: p95 latency ", StringComparison.Ordinal));
    }

    [Fact]
    public void TransformBatchesAreObservedButFixedPrecisionScoringIsNot()
    {
        var ml = new MLContext(seed: 1);
        using var spNet = UntrainedModels.UntrainedSpNet(ml, 3, [W1A1, W1A2, W1A32], scoringBatchSize: 2);
        spNet.Precision = W1A1;
        var changes = new List<PrecisionChangedEventArgs>();
        spNet.PrecisionChanged += (_, e) => changes.Add(e);
        // An hour per image: every observation has headroom.
        spNet.Governor = PrecisionGovernor.ForLatency(TimeSpan.FromHours(1), options: Eager);
        var data = ml.Data.LoadFromEnumerable(UntrainedModels.Rows(6, 3));

        _ = spNet.AtPrecision(W1A1).Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.Empty(changes);

        // Three batches of two at W1A1: the first steps up; the other two were served at W1A1, no longer the governor's switch.
        _ = spNet.Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.Equal(W1A2, Assert.Single(changes).Current);
        Assert.Equal(W1A2, spNet.Precision);
    }

    [Fact]
    public void ManualChangesMoveTheGovernorAndNullReturnsToManualControl()
    {
        var ml = new MLContext(seed: 1);
        using var spNet = UntrainedModels.UntrainedSpNet(ml, 3, [W1A1, W1A2, W1A32]);
        var governor = PrecisionGovernor.ForLatency(TimeSpan.FromTicks(1), options: Eager);
        spNet.Governor = governor;
        spNet.Precision = W1A2;
        Assert.Equal(W1A2, governor.Current);

        using var other = UntrainedModels.UntrainedSpNet(ml, 3, [W1A1, W1A2, W1A32]);
        Assert.Throws<InvalidOperationException>(() => other.Governor = governor);

        spNet.Governor = null;
        Assert.Null(governor.Current);
        var changes = new List<PrecisionChangedEventArgs>();
        spNet.PrecisionChanged += (_, e) => changes.Add(e);
        using var engine = ml.Model.CreatePredictionEngine<UntrainedModels.Row, UntrainedModels.Prediction>(spNet,
            new PredictionEngineOptions { OwnsTransformer = false });
        engine.Predict(UntrainedModels.Rows(1, 3)[0]);
        Assert.Empty(changes);
        Assert.Equal(W1A2, spNet.Precision);
        other.Governor = governor;
        Assert.Equal(other.Precision, governor.Current);
    }
}
