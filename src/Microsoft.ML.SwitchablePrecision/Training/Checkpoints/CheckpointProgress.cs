namespace Microsoft.ML.SwitchablePrecision.Training.Checkpoints;

/// <summary>Where a run stood when its checkpoint was written: at the end of an epoch, or within one.</summary>
/// <param name="Epochs">The end-of-epoch reports so far, one per finished epoch.</param>
/// <param name="StepsDone">Optimizer steps so far.</param>
/// <param name="TrainingTime">Time spent in training steps so far (drives the remaining-time estimate).</param>
/// <param name="Elapsed">Wall-clock time of the run so far, validation included.</param>
internal sealed record CheckpointProgress(IReadOnlyList<TrainingProgress> Epochs, long StepsDone, TimeSpan TrainingTime, TimeSpan Elapsed)
{
    /// <summary>Epochs finished.</summary>
    public int EpochsDone => Epochs.Count;

    /// <summary>Steps done of the unfinished epoch after <see cref="EpochsDone"/>; 0 for a checkpoint at an epoch's end.</summary>
    public int StepsIntoEpoch { get; init; }

    /// <summary>The running training metrics of the unfinished epoch (null at an epoch's end).</summary>
    public RunningMetrics.State? Running { get; init; }
}
