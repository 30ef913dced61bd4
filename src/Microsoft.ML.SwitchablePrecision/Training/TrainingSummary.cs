namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>The outcome of <c>SwitchableNetworkTrainer.Train</c>: one end-of-epoch report per epoch.</summary>
public sealed class TrainingSummary
{
    internal TrainingSummary(IReadOnlyList<TrainingProgress> epochs, TimeSpan elapsed)
    {
        Epochs = epochs;
        Elapsed = elapsed;
    }

    /// <summary>The end-of-epoch report of every epoch, in order.</summary>
    public IReadOnlyList<TrainingProgress> Epochs { get; }

    /// <summary>Wall-clock time of the whole run, validation included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Training metrics per switch over the last epoch.</summary>
    public IReadOnlyList<SwitchMetrics> FinalTrain => Epochs[^1].Train;

    /// <summary>Validation metrics per switch after the last epoch, or null when no validation data was given.</summary>
    public IReadOnlyList<SwitchMetrics>? FinalValidation => Epochs[^1].Validation;
}
