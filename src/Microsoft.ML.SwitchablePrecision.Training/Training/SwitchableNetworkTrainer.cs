using System.Diagnostics;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>
/// Trains all switches of a <see cref="SwitchableNetwork"/> jointly. Each step takes one batch and visits the
/// switches from the most precise to the least (by activation bits, then weight bits; the first is the teacher,
/// W32A32 when present). The teacher learns from the hard labels; every other switch learns as
/// <see cref="TrainerOptions.Distillation"/> says: hard labels (<see cref="DistillationMode.Off"/>), the teacher's
/// detached soft output (<see cref="DistillationMode.FromTeacher"/>) or the next-higher switch's detached soft output
/// (<see cref="DistillationMode.Recursive"/>), the soft loss being KL divergence at temperature T scaled by T^2, plus
/// <see cref="TrainerOptions.HardLabelWeight"/> times the hard-label cross-entropy. Each switch's loss, multiplied by its
/// <see cref="TrainerOptions.SwitchLossWeights"/> entry (and by 1/k for <see cref="SwitchLossReduction.Mean"/>), is
/// back-propagated into the shared weights; then one optimizer step applies the accumulated gradient. A network with
/// a single switch (dedicated training) takes the same path: its only switch is the teacher and learns from hard labels.
/// </summary>
public sealed class SwitchableNetworkTrainer
{
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it and the expected range.</exception>
    public SwitchableNetworkTrainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The settings of this trainer.</summary>
    public TrainerOptions Options => _options;

    /// <summary>
    /// Trains <paramref name="network"/> on <paramref name="train"/> in place. Afterwards the network has its previous
    /// active switch and train/eval mode back, and torch its previous thread count.
    /// </summary>
    /// <param name="network">The network; its input shape and class count must match the data.</param>
    /// <param name="train">Training images (raw pixel values; the network normalises them).</param>
    /// <param name="validation">Optional data evaluated for every switch at the end of each epoch.</param>
    /// <param name="progress">Called after every step, and once more at the end of every epoch (<see cref="TrainingProgress.IsEpochEnd"/>).</param>
    /// <param name="cancellationToken">Checked before every step; cancelling throws <see cref="OperationCanceledException"/> and keeps the weights reached so far.</param>
    /// <returns>The end-of-epoch reports.</returns>
    /// <exception cref="ArgumentException">The data does not fit the network, the crop padding is not smaller than the images, or the loss weights do not match the switches.</exception>
    public TrainingSummary Train(SwitchableNetwork network, ImageDataset train, ImageDataset? validation = null,
        Action<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        DataChecks.RequireFits(network, train, "training", nameof(train));
        if (validation is not null) DataChecks.RequireFits(network, validation, "validation", nameof(validation));
        if (_options.RandomCropPadding >= Math.Min(train.Height, train.Width))
            throw new ArgumentException(
                $"TrainerOptions.RandomCropPadding is {_options.RandomCropPadding}; expected less than the image side ({Math.Min(train.Height, train.Width)} px).",
                nameof(train));
        var weights = LossWeights(network.Switches.Count);

        int threadsBefore = torch.get_num_threads();
        using var restore = new NetworkStateScope(network);
        try
        {
            if (_options.Threads > 0) torch.set_num_threads(_options.Threads);
            torch.manual_seed(_options.Seed);
            return Run(network, train, validation, weights, progress, cancellationToken);
        }
        finally
        {
            if (torch.get_num_threads() != threadsBefore) torch.set_num_threads(threadsBefore);
        }
    }

    private TrainingSummary Run(SwitchableNetwork network, ImageDataset train, ImageDataset? validation, double[] weights,
        Action<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var order = SwitchOrder.TeacherFirst(network.Switches);
        var sampler = new BatchSampler(train, _options.BatchSize, _options.RandomCropPadding, _options.HorizontalFlip, _options.Seed);
        int stepsPerEpoch = sampler.BatchesPerEpoch;
        long totalSteps = (long)_options.Epochs * stepsPerEpoch;
        long warmSteps = WarmStart.Steps(_options.FullPrecisionWarmStart, totalSteps);
        var schedule = new LearningRateScheduler(_options, stepsPerEpoch);
        using var optimizer = OptimizerFactory.Create(network, _options);
        var epochs = new List<TrainingProgress>();
        long stepsDone = 0;
        TimeSpan trainingTime = TimeSpan.Zero, elapsedBefore = TimeSpan.Zero;
        var checkpoint = _options.CheckpointFolder is { } folder
            ? new CheckpointFile(folder, RunFingerprint.Of(network, train, _options))
            : null;
        CheckpointProgress? within = null;
        if (checkpoint?.TryLoad(network, optimizer) is { } resumed)
        {
            epochs.AddRange(resumed.Epochs);
            stepsDone = resumed.StepsDone;
            trainingTime = resumed.TrainingTime;
            elapsedBefore = resumed.Elapsed;
            for (int e = 0; e < resumed.EpochsDone; e++) sampler.SkipEpoch();
            if (resumed.StepsIntoEpoch > 0) within = resumed;
        }
        TimeSpan Elapsed() => elapsedBefore + clock.Elapsed;
        var lastCheckpoint = clock.Elapsed;

        for (int epoch = epochs.Count + 1; epoch <= _options.Epochs; epoch++)
        {
            sampler.Shuffle();
            var running = new RunningMetrics(network.Switches);
            int firstStep = 1;
            if (within is not null)
            {
                sampler.SkipBatches(within.StepsIntoEpoch);
                running.Restore(within.Running!);
                firstStep = within.StepsIntoEpoch + 1;
                within = null;
            }
            double learningRate = 0;
            bool warm = false;
            for (int step = firstStep; step <= stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stepStart = clock.Elapsed;
                learningRate = schedule.At(stepsDone);
                OptimizerFactory.SetLearningRate(optimizer, learningRate);
                network.train();
                var (pixels, labels) = sampler.Batch(step - 1);
                warm = stepsDone < warmSteps;
                if (warm)
                {
                    FullPrecisionStep(network, optimizer, order[0], pixels, labels, running);
                }
                else
                {
                    if (stepsDone == warmSteps && warmSteps > 0) WarmStart.HandOverBatchNorm(network, order[0]);
                    TrainStep(network, optimizer, order, weights, pixels, labels, running);
                }
                NativeMemory.ReleaseFreedPages();
                stepsDone++;
                trainingTime += clock.Elapsed - stepStart;
                if (checkpoint is not null && _options.CheckpointInterval is { } interval && step < stepsPerEpoch
                    && clock.Elapsed - lastCheckpoint >= interval)
                {
                    checkpoint.Save(network, optimizer, new CheckpointProgress(epochs.ToArray(), stepsDone, trainingTime, Elapsed())
                    {
                        StepsIntoEpoch = step,
                        Running = running.Save(),
                    });
                    lastCheckpoint = clock.Elapsed;
                }
                progress?.Invoke(Report(epoch, step, stepsPerEpoch, false, warm, running.Snapshot(), null, learningRate,
                    Elapsed(), Remaining(trainingTime, stepsDone, totalSteps)));
            }
            var validationMetrics = validation is null ? null : NetworkEvaluator.Evaluate(network, validation);
            var epochEnd = Report(epoch, stepsPerEpoch, stepsPerEpoch, true, warm, running.Snapshot(), validationMetrics,
                learningRate, Elapsed(), Remaining(trainingTime, stepsDone, totalSteps));
            epochs.Add(epochEnd);
            checkpoint?.Save(network, optimizer, new CheckpointProgress(epochs.ToArray(), stepsDone, trainingTime, Elapsed()));
            lastCheckpoint = clock.Elapsed;
            progress?.Invoke(epochEnd);
        }
        // After the checkpoint, so a resumed finished run re-estimates from the same weights and ends identical.
        if (_options.BatchNormReestimationBatches > 0)
            BatchNormReestimation.Run(network, train, _options.BatchNormReestimationBatches, _options.BatchNormReestimationBatchSize, _options.Seed);
        return new TrainingSummary(epochs, Elapsed());
    }

    private void TrainStep(SwitchableNetwork network, optim.Optimizer optimizer, int[] order, double[] weights,
        float[] pixels, long[] labels, RunningMetrics running)
    {
        using var scope = torch.NewDisposeScope();
        int count = labels.Length;
        var (images, targets) = BatchTensors(network, pixels, labels);
        optimizer.zero_grad();
        Tensor? teacherLogits = null, higherLogits = null;
        foreach (int switchIndex in order)
        {
            network.Context.ActiveIndex = switchIndex;
            var logits = network.forward(images);
            var hardLoss = cross_entropy(logits, targets);
            var detached = logits.detach();
            var target = _options.Distillation switch
            {
                DistillationMode.FromTeacher => teacherLogits,
                DistillationMode.Recursive => higherLogits,
                _ => null,
            };
            using var hardLabelWeight = _options.HardLabelWeight.ToScalar();
            var loss = target is null
                ? hardLoss
                : DistillationLoss.Soft(logits, target, _options.Temperature).add(hardLoss, hardLabelWeight);
            using var switchWeight = weights[switchIndex].ToScalar();
            if (weights[switchIndex] > 0) loss.mul(switchWeight).backward();
            running.Add(switchIndex, hardLoss.item<float>(), detached.argmax(1).eq(targets).sum().item<long>(), count);
            teacherLogits ??= detached;
            higherLogits = detached;
        }
        optimizer.step();
    }

    // One step of the plain full-precision network (quantizers bypassed) with the teacher's BatchNorm and hard labels.
    private static void FullPrecisionStep(SwitchableNetwork network, optim.Optimizer optimizer, int teacher,
        float[] pixels, long[] labels, RunningMetrics running)
    {
        using var scope = torch.NewDisposeScope();
        int count = labels.Length;
        var (images, targets) = BatchTensors(network, pixels, labels);
        optimizer.zero_grad();
        network.Context.ActiveIndex = teacher;
        network.Context.FullPrecisionOverride = true;
        try
        {
            var logits = network.forward(images);
            var loss = cross_entropy(logits, targets);
            loss.backward();
            running.Add(teacher, loss.item<float>(), logits.detach().argmax(1).eq(targets).sum().item<long>(), count);
        }
        finally
        {
            network.Context.FullPrecisionOverride = false;
        }
        optimizer.step();
    }

    // The batch as (N, C, H, W) images and class indices, inside the caller's dispose scope.
    private static (Tensor Images, Tensor Targets) BatchTensors(SwitchableNetwork network, float[] pixels, long[] labels)
    {
        var o = network.Options;
        return (torch.tensor(pixels, [labels.Length, o.InputChannels, o.Height, o.Width]), torch.tensor(labels));
    }

    private double[] LossWeights(int switchCount)
    {
        if (_options.SwitchLossWeights is { } given && given.Count != switchCount)
            throw new ArgumentException(
                $"TrainerOptions.SwitchLossWeights has {given.Count} entries; the network has {switchCount} switches (one weight each, in the network's switch order).",
                "network");
        double scale = _options.SwitchLossReduction == SwitchLossReduction.Mean ? 1.0 / switchCount : 1.0;
        return (_options.SwitchLossWeights ?? Enumerable.Repeat(1.0, switchCount).ToArray()).Select(w => w * scale).ToArray();
    }

    private static TimeSpan Remaining(TimeSpan trainingTime, long stepsDone, long totalSteps) =>
        stepsDone == 0 ? TimeSpan.Zero : trainingTime / stepsDone * (totalSteps - stepsDone);

    private TrainingProgress Report(int epoch, int step, int stepsPerEpoch, bool isEpochEnd, bool warm, IReadOnlyList<SwitchMetrics> train,
        IReadOnlyList<SwitchMetrics>? validation, double learningRate, TimeSpan elapsed, TimeSpan remaining) => new()
    {
        Epoch = epoch,
        Epochs = _options.Epochs,
        Step = step,
        StepsPerEpoch = stepsPerEpoch,
        IsEpochEnd = isEpochEnd,
        IsFullPrecisionWarmStart = warm,
        Train = train,
        Validation = validation,
        LearningRate = learningRate,
        Elapsed = elapsed,
        EstimatedRemaining = remaining,
    };
}
