namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>The learning rate of every step of a run: linear warm-up, then the chosen schedule.</summary>
internal sealed class LearningRateScheduler
{
    private readonly TrainerOptions _options;
    private readonly long _stepsPerEpoch;
    private readonly long _totalSteps;
    private readonly long _warmupSteps;
    private readonly int _stepSizeEpochs;

    public LearningRateScheduler(TrainerOptions options, int stepsPerEpoch)
    {
        _options = options;
        _stepsPerEpoch = stepsPerEpoch;
        _totalSteps = (long)options.Epochs * stepsPerEpoch;
        _warmupSteps = (long)options.WarmupEpochs * stepsPerEpoch;
        _stepSizeEpochs = options.StepSizeEpochs > 0 ? options.StepSizeEpochs : Math.Max(1, options.Epochs / 3);
    }

    /// <summary>The learning rate of step <paramref name="step"/>, counted from 0 over the whole run.</summary>
    public double At(long step)
    {
        double baseRate = _options.LearningRate;
        if (step < _warmupSteps) return baseRate * (step + 1) / _warmupSteps;
        return _options.Schedule switch
        {
            LearningRateSchedule.Constant => baseRate,
            LearningRateSchedule.Cosine =>
                baseRate * 0.5 * (1 + Math.Cos(Math.PI * (step - _warmupSteps) / Math.Max(1, _totalSteps - _warmupSteps))),
            LearningRateSchedule.Step => baseRate * Math.Pow(_options.StepGamma, step / _stepsPerEpoch / _stepSizeEpochs),
            _ => throw new InvalidOperationException($"Unknown schedule {_options.Schedule}."),
        };
    }
}
