using System.Diagnostics;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>Trains the network of one cell with <see cref="Recipe"/> and evaluates every switch on the test images.</summary>
internal sealed class CellTrainer(ExperimentData data, CodeVersion version, int threads, TextWriter log)
{
    /// <summary>Steps between progress lines.</summary>
    private const int LogEvery = 50;

    /// <summary>Training batches (unaugmented, in file order) over which each switch's BatchNorm statistics are re-estimated.</summary>
    private const int ReestimationBatches = 50;

    /// <summary>Trains <paramref name="spec"/> from scratch.</summary>
    public CellResult Train(CellSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Data != data.Id)
            throw new ArgumentException($"Cell '{spec.Key}' is for data '{spec.Data}' but the loaded data is '{data.Id}'.", nameof(spec));
        var clock = Stopwatch.StartNew();
        using var network = NetworkFactory.Create(Recipe.Network(spec), spec.Seed);
        var trainer = new SpNetTrainer(Recipe.Trainer(spec, threads));
        var summary = trainer.Train(network, data.Train, validation: null, Progress, cancellationToken);
        int threadsBefore = torch.get_num_threads();
        torch.set_num_threads(threads);
        var test = NetworkEvaluator.Evaluate(network, data.Test);
        BatchNormReestimation.Run(network, data.Train, ReestimationBatches, Recipe.BatchSize);
        var afterReestimation = NetworkEvaluator.Evaluate(network, data.Test);
        torch.set_num_threads(threadsBefore);
        return new CellResult
        {
            Spec = spec,
            Commit = version.Commit,
            Dirty = version.Dirty,
            FinishedUtc = DateTime.UtcNow,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Threads = threads,
            TrainImages = data.Train.Count,
            TestImages = data.Test.Count,
            Test = Accuracies(test),
            TestAfterBatchNormReestimation = Accuracies(afterReestimation),
            LastEpochTrain = Accuracies(summary.FinalTrain),
        };
    }

    private static List<SwitchAccuracy> Accuracies(IEnumerable<SwitchMetrics> metrics) =>
        metrics.Select(m => new SwitchAccuracy(m.Precision.ToString(), m.Accuracy, m.Loss)).ToList();

    private void Progress(TrainingProgress p)
    {
        if (!p.IsEpochEnd && p.Step % LogEvery != 0) return;
        string accuracy = string.Join(" ", p.Train.Select(m => $"{m.Precision}={m.Accuracy:P1}"));
        log.WriteLine(FormattableString.Invariant(
            $"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch}{(p.IsEpochEnd ? " (end)" : "")} lr {p.LearningRate:F4} train {accuracy} elapsed {p.Elapsed:hh\\:mm\\:ss} left {p.EstimatedRemaining:hh\\:mm\\:ss}"));
    }
}
