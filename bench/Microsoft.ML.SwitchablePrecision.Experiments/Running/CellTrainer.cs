using System.Diagnostics;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// Trains the network of one cell with <see cref="Recipe"/> and evaluates every switch on the test images. With a
/// checkpoint root, each cell keeps a checkpoint per finished epoch in <c>{root}/{cell key}</c>, resumes from it when
/// run again after an interruption, and deletes it once the cell is evaluated.
/// </summary>
internal sealed class CellTrainer(ExperimentData data, CodeVersion version, int threads, TextWriter log, string? checkpointRoot = null)
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
        string? checkpoints = checkpointRoot is null ? null : Path.Combine(checkpointRoot, spec.Key);
        // Within epochs too: a full-data epoch takes more than an hour on one loaded core, longer than a sitting has left.
        var trainer = new SwitchableNetworkTrainer(Recipe.Trainer(spec, threads) with
        {
            CheckpointFolder = checkpoints,
            CheckpointInterval = checkpoints is null ? null : TimeSpan.FromMinutes(10),
        });
        int? firstEpoch = null;
        bool resumed = false;
        var trainingClock = Stopwatch.StartNew();
        var summary = trainer.Train(network, data.Train, validation: null, p =>
        {
            if (firstEpoch is null && (p.Epoch > 1 || p.Step > 1))
            {
                resumed = true;
                log.WriteLine(p.Step > 1 ? $"  resumed from the checkpoint at epoch {p.Epoch} step {p.Step - 1}" : $"  resumed from the checkpoint after epoch {p.Epoch - 1}");
            }
            firstEpoch ??= p.Epoch;
            Progress(p);
        }, cancellationToken);
        trainingClock.Stop();
        int threadsBefore = torch.get_num_threads();
        torch.set_num_threads(threads);
        var test = NetworkEvaluator.Evaluate(network, data.Test);
        BatchNormReestimation.Run(network, data.Train, ReestimationBatches, trainer.Options.BatchNormReestimationBatchSize);
        var afterReestimation = NetworkEvaluator.Evaluate(network, data.Test);
        torch.set_num_threads(threadsBefore);
        if (checkpoints is not null && Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
        return new CellResult
        {
            Spec = spec,
            Commit = version.Commit,
            Dirty = version.Dirty,
            FinishedUtc = DateTime.UtcNow,
            // A resumed run's summary includes the training time of the earlier sittings.
            WallSeconds = (clock.Elapsed + (summary.Elapsed - trainingClock.Elapsed)).TotalSeconds,
            Machine = Kernels.CpuDescription.Current,
            Threads = threads,
            TrainImages = data.Train.Count,
            TestImages = data.Test.Count,
            Test = Accuracies(test),
            TestAfterBatchNormReestimation = Accuracies(afterReestimation),
            LastEpochTrain = Accuracies(summary.FinalTrain),
            ResumedAfterEpoch = resumed ? firstEpoch - 1 : null,
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
