using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Cli;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

// The runner sets torch's process-wide thread count (--threads 1) and restores it.
[Collection(ProcessWideStateCollection.Name)]
public sealed class QuickRunEndToEndTests : IDisposable
{
    private readonly string _out = HandMadeCells.TemporaryFolder();

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void QuickDistillationRunTrainsCachesAndReportsEveryCell()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "fashion-mnist-subset");
        string[] args = ["run", "distillation", "--quick", "--seeds", "1", "--train-limit", "40", "--test-limit", "20",
            "--width", "0.125", "--threads", "1", "--data", data, "--out", _out];

        var firstLog = new StringWriter();
        Assert.Equal(0, ExperimentCommands.Execute(RunnerSettings.Parse(args), firstLog, AppContext.BaseDirectory));
        var secondLog = new StringWriter();
        Assert.Equal(0, ExperimentCommands.Execute(RunnerSettings.Parse(args), secondLog, AppContext.BaseDirectory));

        Assert.Contains("Finished: 3 trained, 0 cached, 0 left to other running processes.", firstLog.ToString(), StringComparison.Ordinal);
        Assert.Contains("Finished: 0 trained, 3 cached, 0 left to other running processes.", secondLog.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_out, "cells")), "quick cells must not go into the real cell folder");
        var cells = new CellCache(Path.Combine(_out, "quick", "cells")).LoadAll();
        Assert.Equal(3, cells.Count);
        foreach (var cell in cells)
        {
            Assert.Equal((1, 1, 40, 20), (cell.Spec.Epochs, cell.Spec.Seed, cell.TrainImages, cell.TestImages));
            Assert.Equal(["W1A1", "W1A2", "W1A4", "W1A32"], cell.Test.Select(t => t.Precision));
            // 40 training images cannot teach much, so the checks are of bookkeeping that can be wrong: each accuracy
            // is a count of the 20 test images, each loss a finite positive cross-entropy, and the re-estimated
            // evaluation covers the same switches.
            Assert.NotNull(cell.TestAfterBatchNormReestimation);
            Assert.All(cell.Test.Concat(cell.TestAfterBatchNormReestimation), t =>
            {
                Assert.Equal(Math.Round(t.Accuracy * 20), t.Accuracy * 20, 9);
                Assert.True(double.IsFinite(t.Loss) && t.Loss > 0, $"loss {t.Loss}");
            });
            Assert.Equal(cell.Test.Select(t => t.Precision), cell.TestAfterBatchNormReestimation.Select(t => t.Precision));
            Assert.All(cell.LastEpochTrain, t => Assert.Equal(Math.Round(t.Accuracy * 40), t.Accuracy * 40, 9));
            Assert.True(cell.Commit == CodeVersion.Unknown || cell.Commit.Length == 40, cell.Commit);
            Assert.True(cell.WallSeconds > 0);
        }
        Assert.Equal(["FromTeacher", "Off", "Recursive"], cells.Select(c => c.Spec.Distillation.ToString()).Order());
        string md = File.ReadAllText(Path.Combine(_out, "quick", "results.md"));
        Assert.Contains("### distillation:", md, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_out, "quick", "accuracy-distillation.png")));
    }
}
