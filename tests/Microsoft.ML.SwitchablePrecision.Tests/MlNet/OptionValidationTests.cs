namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>Every option error comes from <c>mlContext.Transforms.SpNet(options)</c>, before any data is read, in <c>SpNetOptions</c> names.</summary>
public sealed class OptionValidationTests
{
    private readonly MLContext _ml = new(seed: 1);

    public static TheoryData<Action<SpNetOptions>, string> Invalid => new()
    {
        { o => o.Epochs = 0, "SpNetOptions.Epochs is 0; expected at least 1." },
        { o => o.BatchSize = -3, "SpNetOptions.BatchSize is -3; expected at least 1." },
        { o => o.LearningRate = double.NaN, "SpNetOptions.LearningRate is NaN; expected a finite number above 0." },
        { o => o.Momentum = 1, "SpNetOptions.Momentum is 1; expected at least 0 and below 1." },
        { o => { o.Optimizer = OptimizerKind.Sgd; o.Nesterov = true; o.Momentum = 0; }, "SpNetOptions.Nesterov is True; expected false when Momentum is 0 (Nesterov momentum needs momentum)." },
        { o => o.StepGamma = 0, "SpNetOptions.StepGamma is 0; expected above 0 and at most 1." },
        { o => o.StepSizeEpochs = -1, "SpNetOptions.StepSizeEpochs is -1; expected at least 0 (0 = a third of Epochs)." },
        { o => { o.Epochs = 3; o.WarmupEpochs = 4; }, "SpNetOptions.WarmupEpochs is 4; expected 0 to Epochs (3)." },
        { o => o.Temperature = 0, "SpNetOptions.Temperature is 0; expected a finite number above 0." },
        { o => o.RandomCropPadding = -1, "SpNetOptions.RandomCropPadding is -1; expected at least 0 (0 = off)." },
        { o => o.ScoringBatchSize = 0, "SpNetOptions.ScoringBatchSize is 0; expected at least 1." },
        { o => o.ImageHeight = 5, "SpNetOptions.ImageHeight is 5; expected 0 (from the column) or 8 to 1024." },
        { o => o.ImageChannels = 2, "SpNetOptions.ImageChannels is 2; expected 0 (from the column), 1 or 3." },
        { o => o.LabelColumnName = " ", "SpNetOptions.LabelColumnName is ' '; expected a column name." },
        { o => o.PredictedLabelColumnName = "Score", "SpNetOptions.PredictedLabelColumnName is 'Score'; expected another name than ScoreColumnName." },
        { o => o.WidthMultiplier = 0, "WidthMultiplier is 0: expected a finite value greater than 0." },
        { o => o.Architecture = (ArchitectureKind)42, "Architecture 42 is not defined" },
        { o => o.Switches = [new(1, 1), new(1, 1)], "Switches lists W1A1 more than once: every switch must be distinct." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void AnInvalidOptionFailsWhenTheEstimatorIsCreatedNamingIt(Action<SpNetOptions> change, string expected)
    {
        var options = new SpNetOptions();
        change(options);
        var error = Assert.Throws<ArgumentException>(() => _ml.Transforms.SpNet(options));
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void TheOptionsTheTrainerHadAndTheEstimatorLackedAreAccepted()
    {
        Assert.NotNull(_ml.Transforms.SpNet(new SpNetOptions
        {
            Nesterov = true, Schedule = LearningRateSchedule.Step, StepSizeEpochs = 2, StepGamma = 0.5, WarmupEpochs = 1,
        }));
    }
}
