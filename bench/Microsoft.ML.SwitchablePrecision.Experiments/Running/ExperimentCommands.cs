using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Cli;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;
using Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>The run, list, report and measure commands.</summary>
internal static class ExperimentCommands
{
    /// <summary>Executes <paramref name="settings"/>; returns the process exit code.</summary>
    public static int Execute(RunnerSettings settings, TextWriter log, string currentDirectory, CancellationToken cancellationToken = default)
    {
        string root = RunMode.FindRepositoryRoot(currentDirectory);
        var mode = RunMode.From(settings, root);
        switch (settings.Command)
        {
            case "list":
                List(settings, mode, log);
                return 0;
            case "report":
                Report(mode, log);
                return 0;
            case "measure":
                StepTimer.Measure(ExperimentData.Load(mode.DataFolder, mode.TrainLimit, mode.TestLimit), settings.Steps, settings.Threads, log);
                return 0;
            default:
                Run(settings, mode, root, log, cancellationToken);
                return 0;
        }
    }

    /// <summary>The cells of <paramref name="experiments"/> for <paramref name="budget"/>, each experiment with the given seeds or its own defaults.</summary>
    public static IReadOnlyList<CellSpec> Cells(IReadOnlyList<Experiment> experiments, Budget budget, IReadOnlyList<int>? seeds) =>
        experiments.SelectMany(e => e.Cells(budget, seeds ?? e.DefaultSeeds)).DistinctBy(c => c.Key).ToList();

    private static void Run(RunnerSettings settings, RunMode mode, string root, TextWriter log, CancellationToken cancellationToken)
    {
        var experiments = ExperimentCatalog.Resolve(settings.Experiment!);
        log.WriteLine($"Loading data{(settings.Quick ? " (quick)" : "")}...");
        var data = ExperimentData.Load(mode.DataFolder, mode.TrainLimit, mode.TestLimit);
        var budget = new Budget(ArchitectureKind.ResNet20, mode.Width, mode.Epochs, data.Id, Recipe.Id);
        var cells = Cells(experiments, budget, settings.Seeds);
        var version = CodeVersion.Read(root);
        log.WriteLine($"{cells.Count} cells, budget {budget}, code {version.Commit}{(version.Dirty ? " (uncommitted changes)" : "")}, output {mode.OutputFolder}");
        var cache = new CellCache(mode.CellFolder);
        var trainer = new CellTrainer(data, version, settings.Threads, log, Path.Combine(mode.CellFolder, "checkpoints"));
        var runner = new MatrixRunner(cache, trainer.Train, log) { CellStored = () => ReportWriter.Write(cache, mode.OutputFolder) };
        var outcome = runner.Run(cells, cancellationToken);
        ReportWriter.Write(cache, mode.OutputFolder);
        log.WriteLine($"Finished: {outcome.Trained} trained, {outcome.Cached} cached, {outcome.Busy} left to other running processes. Report in {Path.Combine(mode.OutputFolder, "results.md")}");
    }

    private static void Report(RunMode mode, TextWriter log)
    {
        foreach (string path in ReportWriter.Write(new CellCache(mode.CellFolder), mode.OutputFolder)) log.WriteLine($"wrote {path}");
    }

    private static void List(RunnerSettings settings, RunMode mode, TextWriter log)
    {
        int train = mode.TrainLimit ?? 60000, test = mode.TestLimit ?? 10000;
        var budget = new Budget(ArchitectureKind.ResNet20, mode.Width, mode.Epochs, "(data)", Recipe.Id);
        log.WriteLine(Inv($"Budget: {budget} on {train} training / {test} test images; costs estimated from measured per-pass times for {settings.Threads} thread(s) per process."));
        double total = 0;
        var seen = new HashSet<string>();
        foreach (var experiment in ExperimentCatalog.Resolve(settings.Experiment ?? ExperimentCatalog.All))
        {
            var seeds = settings.Seeds ?? experiment.DefaultSeeds;
            log.WriteLine();
            log.WriteLine($"{experiment.Name}: {experiment.Title} (seeds {string.Join(",", seeds)})");
            double experimentTotal = 0;
            foreach (var row in experiment.Rows)
            {
                log.WriteLine($"  {row.Label}");
                foreach (var cell in seeds.SelectMany(s => row.Cells(budget, s)))
                {
                    double hours = CostModel.Seconds(cell, train, test, settings.Threads) / 3600;
                    bool shared = !seen.Add(cell.Key);
                    if (!shared) experimentTotal += hours;
                    log.WriteLine(Inv($"    {cell.Key,-90} {hours,6:F2} h{(shared ? " (shared with an earlier row: no extra cost)" : "")}"));
                }
            }
            total += experimentTotal;
            log.WriteLine(Inv($"  new cost of {experiment.Name}: {experimentTotal:F2} h"));
        }
        log.WriteLine();
        log.WriteLine(Inv($"Total: {total:F2} h"));
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
