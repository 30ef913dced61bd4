using Microsoft.ML.SwitchablePrecision.Experiments.Cli;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>Defaults of a real run and of a --quick run, and where each keeps its files.</summary>
internal sealed record RunMode(int Epochs, double Width, int? TrainLimit, int? TestLimit, string DataFolder, string OutputFolder)
{
    /// <summary>Epochs per cell of the real matrix (see docs/results/README.md for the budget).</summary>
    public const int DefaultEpochs = 1;

    /// <summary>The folder of the cell files.</summary>
    public string CellFolder => Path.Combine(OutputFolder, "cells");

    /// <summary>Applies the mode's defaults to what the command line left open.</summary>
    /// <exception cref="ArgumentException">A real run without --data.</exception>
    public static RunMode From(RunnerSettings settings, string repositoryRoot)
    {
        string output = settings.Out ?? Path.Combine(repositoryRoot, "docs", "results");
        if (settings.Quick)
            return new RunMode(settings.Epochs ?? 1, settings.Width ?? 0.5, settings.TrainLimit ?? 1000, settings.TestLimit ?? 500,
                settings.Data ?? Path.Combine(repositoryRoot, "data", "fashion-mnist-subset"), Path.Combine(output, "quick"));
        return new RunMode(settings.Epochs ?? DefaultEpochs, settings.Width ?? 1, settings.TrainLimit, settings.TestLimit,
            settings.Data ?? (settings.Command == "run"
                ? throw new ArgumentException("A real run needs --data <folder>: the folder holding the full Fashion-MNIST IDX files (60,000 train, 10,000 test). Use --quick for the repository's small subset.")
                : ""),
            output);
    }

    /// <summary>The checkout holding the current directory (the nearest parent with SwitchablePrecision.sln), else the current directory.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "SwitchablePrecision.sln"))) return folder.FullName;
        return start;
    }
}
