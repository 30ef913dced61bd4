using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class LearningRateSchedulerTests
{
    [Fact]
    public void ConstantKeepsTheBaseRateAfterLinearWarmup()
    {
        var schedule = new LearningRateScheduler(
            new TrainerOptions { Epochs = 3, LearningRate = 0.2, Schedule = LearningRateSchedule.Constant, WarmupEpochs = 1 }, 4);
        Assert.Equal(new[] { 0.05, 0.1, 0.15, 0.2, 0.2, 0.2 }, Enumerable.Range(0, 6).Select(s => Math.Round(schedule.At(s), 12)));
        Assert.Equal(0.2, schedule.At(11));
    }

    [Fact]
    public void CosineFallsFromTheBaseRateTowardsZero()
    {
        var schedule = new LearningRateScheduler(new TrainerOptions { Epochs = 2, LearningRate = 0.1 }, 5);
        Assert.Equal(0.1, schedule.At(0));
        Assert.Equal(0.05, schedule.At(5), 12);
        Assert.Equal(0.1 * 0.5 * (1 + Math.Cos(Math.PI * 9 / 10)), schedule.At(9), 12);
        var rates = Enumerable.Range(0, 10).Select(s => schedule.At(s)).ToArray();
        Assert.True(rates.Zip(rates.Skip(1)).All(pair => pair.Second < pair.First));
    }

    [Fact]
    public void CosineStartsAfterWarmup()
    {
        var schedule = new LearningRateScheduler(new TrainerOptions { Epochs = 3, LearningRate = 1, WarmupEpochs = 1 }, 2);
        Assert.Equal(new[] { 0.5, 1, 1, 0.5 }, new[] { 0, 1, 2, 4 }.Select(s => Math.Round(schedule.At(s), 12)));
    }

    [Fact]
    public void StepMultipliesByGammaEveryStepSizeEpochs()
    {
        var schedule = new LearningRateScheduler(new TrainerOptions
        {
            Epochs = 6, LearningRate = 1, Schedule = LearningRateSchedule.Step, StepSizeEpochs = 2, StepGamma = 0.5,
        }, 3);
        Assert.Equal(new[] { 1, 1, 0.5, 0.5, 0.25, 0.25 }, Enumerable.Range(0, 6).Select(e => schedule.At(e * 3 + 2)));

        var defaultSize = new LearningRateScheduler(new TrainerOptions { Epochs = 9, LearningRate = 1, Schedule = LearningRateSchedule.Step }, 1);
        Assert.Equal(new[] { 1, 0.1 }, new[] { 2, 3 }.Select(s => Math.Round(defaultSize.At(s), 12)));
    }
}
