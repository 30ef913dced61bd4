namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>A snapshot of a training run, reported after every step and at the end of every epoch.</summary>
public sealed class TrainingProgress
{
    /// <summary>The current epoch, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>The number of epochs of the run.</summary>
    public required int Epochs { get; init; }

    /// <summary>Steps done in the current epoch, 1-based (equal to <see cref="StepsPerEpoch"/> at the epoch's end).</summary>
    public required int Step { get; init; }

    /// <summary>Optimizer steps (batches) per epoch.</summary>
    public required int StepsPerEpoch { get; init; }

    /// <summary>True for the report made once per epoch after its last step (and after validation).</summary>
    public required bool IsEpochEnd { get; init; }

    /// <summary>
    /// Running means over the epoch so far of each switch's hard-label cross-entropy and accuracy on the augmented
    /// training batches (measured in training mode, before each step's update), in the network's switch order.
    /// </summary>
    public required IReadOnlyList<SwitchMetrics> Train { get; init; }

    /// <summary>
    /// True when the last step of this report was a step of the full-precision warm start
    /// (<see cref="TrainerOptions.FullPrecisionWarmStart"/>): the quantizers were bypassed, so the metrics of the most
    /// precise switch in <see cref="Train"/> are the float network's and those of the other switches are NaN until their
    /// first joint step of the epoch.
    /// </summary>
    public bool IsFullPrecisionWarmStart { get; init; }

    /// <summary>Each switch's loss and accuracy on the validation data, at the end of an epoch when validation data was given; otherwise null.</summary>
    public IReadOnlyList<SwitchMetrics>? Validation { get; init; }

    /// <summary>The learning rate used by the last step.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Wall-clock time since training started.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the end of training, from the mean step time so far.</summary>
    public required TimeSpan EstimatedRemaining { get; init; }
}
