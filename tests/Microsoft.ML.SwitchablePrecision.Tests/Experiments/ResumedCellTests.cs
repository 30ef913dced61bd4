using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

// Trains with Threads = 1, which sets torch's process-wide thread count while it runs.
[Collection(ProcessWideStateCollection.Name)]
public sealed class ResumedCellTests : IDisposable
{
    private readonly string _checkpoints = HandMadeCells.TemporaryFolder();

    public void Dispose() => Directory.Delete(_checkpoints, recursive: true);

    [Fact]
    public void AnInterruptedCellResumesAfterItsLastFinishedEpochWithTheResultOfAnUninterruptedRun()
    {
        var data = ExperimentData.Load(Path.Combine(AppContext.BaseDirectory, "fashion-mnist-subset"), trainLimit: 40, testLimit: 20);
        var budget = new Budget(ArchitectureKind.ResNet20, 0.125, 2, data.Id, Recipe.Id);
        var spec = CellSpec.SpNet(Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Off, budget, seed: 1);
        var version = new CodeVersion(CodeVersion.Unknown, false);
        var straight = new CellTrainer(data, version, threads: 1, new StringWriter()).Train(spec, CancellationToken.None);

        using var interrupt = new CancellationTokenSource();
        var interruptedLog = new InterruptingWriter("epoch 1/2 step 1/1 (end)", interrupt);
        Assert.Throws<OperationCanceledException>(() => new CellTrainer(data, version, 1, interruptedLog, _checkpoints).Train(spec, interrupt.Token));
        Assert.True(Directory.Exists(Path.Combine(_checkpoints, spec.Key)));

        var resumedLog = new StringWriter();
        var resumed = new CellTrainer(data, version, 1, resumedLog, _checkpoints).Train(spec, CancellationToken.None);

        Assert.Contains("resumed from the checkpoint after epoch 1", resumedLog.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/2", resumedLog.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_checkpoints, spec.Key)), "a finished cell's checkpoint is deleted");
        Assert.Equal(1, resumed.ResumedAfterEpoch);
        Assert.Null(straight.ResumedAfterEpoch);
        Assert.Equal(straight.Test, resumed.Test);
        Assert.Equal(straight.LastEpochTrain, resumed.LastEpochTrain);
        Assert.Equal(straight.TestAfterBatchNormReestimation, resumed.TestAfterBatchNormReestimation);
    }

    // Cancels the run when a progress line contains the trigger, as Ctrl+C would at that moment.
    private sealed class InterruptingWriter(string trigger, CancellationTokenSource interrupt) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(trigger, StringComparison.Ordinal) == true) interrupt.Cancel();
        }
    }
}
