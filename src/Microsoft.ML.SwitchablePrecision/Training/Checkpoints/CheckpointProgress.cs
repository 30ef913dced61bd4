namespace Microsoft.ML.SwitchablePrecision.Training.Checkpoints;

/// <summary>Where a run stood at the end of its last finished epoch.</summary>
/// <param name="Epochs">The end-of-epoch reports so far, one per finished epoch.</param>
/// <param name="StepsDone">Optimizer steps so far.</param>
/// <param name="TrainingTime">Time spent in training steps so far (drives the remaining-time estimate).</param>
/// <param name="Elapsed">Wall-clock time of the run so far, validation included.</param>
internal sealed record CheckpointProgress(IReadOnlyList<TrainingProgress> Epochs, long StepsDone, TimeSpan TrainingTime, TimeSpan Elapsed)
{
    /// <summary>Epochs finished.</summary>
    public int EpochsDone => Epochs.Count;
}
