namespace Microsoft.ML.SwitchablePrecision;

/// <summary>How the learning rate changes over training; it is updated at every step, after the optional linear warm-up.</summary>
public enum LearningRateSchedule
{
    /// <summary>The base learning rate throughout.</summary>
    Constant,

    /// <summary>Cosine decay from the base learning rate towards 0 at the last step.</summary>
    Cosine,

    /// <summary>The base learning rate multiplied by <see cref="Training.TrainerOptions.StepGamma"/> every <see cref="Training.TrainerOptions.StepSizeEpochs"/> epochs.</summary>
    Step,
}
