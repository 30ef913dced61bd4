using Microsoft.ML.SwitchablePrecision.Experiments.Cli;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

public class RunnerSettingsTests
{
    [Fact]
    public void RunParsesEveryOption()
    {
        var s = RunnerSettings.Parse(["run", "family1", "--quick", "--seeds", "1, 2,1", "--epochs", "3", "--data", "d", "--out", "o",
            "--threads", "1", "--width", "0.25", "--train-limit", "40", "--test-limit", "20"]);

        Assert.Equal(("run", "family1", true, 3, "d", "o", 1, 0.25, 40, 20), (s.Command, s.Experiment, s.Quick, s.Epochs, s.Data, s.Out, s.Threads, s.Width, s.TrainLimit, s.TestLimit));
        Assert.Equal([1, 2], s.Seeds);
    }

    [Theory]
    [InlineData("No command given: expected run, list, report or measure.")]
    [InlineData("Unknown command 'train': expected run, list, report or measure.", "train")]
    [InlineData("run needs an experiment name: family1, family2, quantizers, distillation or all.", "run", "--quick")]
    [InlineData("--seeds '1,x' is not valid: expected non-negative integers separated by commas, such as 1,2.", "run", "all", "--seeds", "1,x")]
    [InlineData("--epochs '0' is not valid: expected a whole number of at least 1.", "run", "all", "--epochs", "0")]
    [InlineData("Option --out needs a value.", "report", "--out")]
    [InlineData("Unknown option '--fast' for list.", "list", "--fast")]
    [InlineData("measure needs --data <folder>: the folder holding the full Fashion-MNIST IDX files.", "measure")]
    public void BadCommandLinesAreExplained(string message, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => RunnerSettings.Parse(args));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ARealRunNeedsDataAndAQuickRunUsesItsOwnFolder()
    {
        var error = Assert.Throws<ArgumentException>(() => RunMode.From(RunnerSettings.Parse(["run", "all"]), "root"));
        Assert.StartsWith("A real run needs --data <folder>", error.Message);

        var quick = RunMode.From(RunnerSettings.Parse(["run", "all", "--quick"]), "root");
        Assert.Equal(Path.Combine("root", "docs", "results", "quick", "cells"), quick.CellFolder);
        Assert.Equal(Path.Combine("root", "data", "fashion-mnist-subset"), quick.DataFolder);
        Assert.Equal((1, 0.5, 1000, 500), (quick.Epochs, quick.Width, quick.TrainLimit!.Value, quick.TestLimit!.Value));

        var real = RunMode.From(RunnerSettings.Parse(["run", "all", "--data", "d"]), "root");
        Assert.Equal(Path.Combine("root", "docs", "results", "cells"), real.CellFolder);
        Assert.Equal((RunMode.DefaultEpochs, 1.0), (real.Epochs, real.Width));
    }
}
