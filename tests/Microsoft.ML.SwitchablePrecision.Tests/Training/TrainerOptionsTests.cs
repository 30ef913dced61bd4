using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class TrainerOptionsTests
{
    public static TheoryData<TrainerOptions, string> InvalidOptions => new()
    {
        { new() { Epochs = 0 }, "TrainerOptions.Epochs is 0; expected at least 1." },
        { new() { BatchSize = -3 }, "TrainerOptions.BatchSize is -3; expected at least 1." },
        { new() { LearningRate = 0 }, "TrainerOptions.LearningRate is 0; expected a finite number above 0." },
        { new() { LearningRate = double.NaN }, "TrainerOptions.LearningRate is NaN; expected a finite number above 0." },
        { new() { Optimizer = (OptimizerKind)7 }, "TrainerOptions.Optimizer is 7; expected Sgd or Adam." },
        { new() { Momentum = 1 }, "TrainerOptions.Momentum is 1; expected at least 0 and below 1." },
        { new() { Optimizer = OptimizerKind.Sgd, Momentum = 0, Nesterov = true }, "TrainerOptions.Nesterov is True; expected false when Momentum is 0 (Nesterov momentum needs momentum)." },
        { new() { WeightDecay = -0.1 }, "TrainerOptions.WeightDecay is -0.1; expected a finite number of at least 0." },
        { new() { Schedule = (LearningRateSchedule)9 }, "TrainerOptions.Schedule is 9; expected Constant, Cosine or Step." },
        { new() { StepSizeEpochs = -1 }, "TrainerOptions.StepSizeEpochs is -1; expected at least 0 (0 = a third of Epochs)." },
        { new() { StepGamma = 1.5 }, "TrainerOptions.StepGamma is 1.5; expected above 0 and at most 1." },
        { new() { Epochs = 3, WarmupEpochs = 4 }, "TrainerOptions.WarmupEpochs is 4; expected 0 to Epochs (3)." },
        { new() { Distillation = (DistillationMode)3 }, "TrainerOptions.Distillation is 3; expected Off, FromTeacher or Recursive." },
        { new() { Temperature = 0 }, "TrainerOptions.Temperature is 0; expected a finite number above 0." },
        { new() { HardLabelWeight = double.PositiveInfinity }, "TrainerOptions.HardLabelWeight is Infinity; expected a finite number of at least 0." },
        { new() { RandomCropPadding = -1 }, "TrainerOptions.RandomCropPadding is -1; expected at least 0 (0 = off)." },
        { new() { Threads = -2 }, "TrainerOptions.Threads is -2; expected at least 0 (0 = torch's setting)." },
        { new() { SwitchLossWeights = [1, -1] }, "TrainerOptions.SwitchLossWeights[1] is -1; expected a finite number of at least 0." },
        { new() { SwitchLossReduction = (SwitchLossReduction)7 }, "TrainerOptions.SwitchLossReduction is 7; expected Sum or Mean." },
        { new() { SwitchLossWeights = [0, 0] }, "TrainerOptions.SwitchLossWeights is all zero; expected at least one weight above 0." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidSettingIsNamedWithItsExpectedRange(TrainerOptions options, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(options));
        Assert.Equal($"{message} (Parameter 'options')", e.Message);
    }

    [Fact]
    public void DefaultsAreValidAndDocumented()
    {
        var options = new SwitchableNetworkTrainer(new TrainerOptions()).Options;
        Assert.Equal((10, 32, 0.01, OptimizerKind.Adam, 0.9, 0.0), (options.Epochs, options.BatchSize, options.LearningRate,
            options.Optimizer, options.Momentum, options.WeightDecay));
        Assert.Equal((LearningRateSchedule.Cosine, 0.1, 0, DistillationMode.Off, 1.0, 1.0, 2, false, 0),
            (options.Schedule, options.StepGamma, options.WarmupEpochs, options.Distillation, options.Temperature,
             options.HardLabelWeight, options.RandomCropPadding, options.HorizontalFlip, options.Threads));
        Assert.Null(options.SwitchLossWeights);
        Assert.Equal((50, 128), (options.BatchNormReestimationBatches, options.BatchNormReestimationBatchSize));
        Assert.Equal(0.1, options.FullPrecisionWarmStart);
        Assert.Equal(0.1, new SpNetOptions().FullPrecisionWarmStart);
        Assert.Throws<ArgumentNullException>(() => new SwitchableNetworkTrainer(null!));
    }
}
