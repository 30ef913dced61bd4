using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.SwitchablePrecision;
using Spectre.Console;
using SpNet.Train.Cli;
using SpNet.Train.Data;
using SpNet.Train.Reporting;

namespace SpNet.Train.Training;

/// <summary>The main job: load images, train an SP-Net, evaluate every switch, save the model and the trade-off chart.</summary>
internal static class TrainJob
{
    /// <summary>File name of the saved model inside the output folder.</summary>
    public const string ModelFileName = "model.zip";

    /// <summary>File name of the accuracy/cost chart inside the output folder.</summary>
    public const string ChartFileName = "tradeoff.png";

    private const int LatencyImages = 50;

    /// <summary>Runs the whole job, writing progress and results to <paramref name="console"/>.</summary>
    /// <exception cref="DataSourceException">The data cannot be used; the message says why.</exception>
    public static IReadOnlyList<SwitchResult> Run(TrainSettings settings, IAnsiConsole console)
    {
        var clock = Stopwatch.StartNew();
        double? loadAtStart = MachineState.Now().LoadAverage;
        var data = DataSelection.Load(settings, console);
        if (data.Test.Count == 0)
            throw new DataSourceException($"'{data.Root}' leaves no test images: expected at least two images in some class.");
        console.MarkupLineInterpolated(
            $"{data.Train.Count:N0} training and {data.Test.Count:N0} test images, {data.Classes.Count} classes, {(data.IsGrey ? "grey" : "colour")}, resized to {settings.ImageSize}x{settings.ImageSize}");
        console.MarkupLineInterpolated(
            $"Training {settings.Architecture} (width x{settings.Width}) at {string.Join(", ", settings.Switches)} ({settings.Quantizer} quantizer, {settings.Distillation} distillation), {settings.Epochs} epochs, seed {settings.Seed}");

        var mlContext = new MLContext(settings.Seed);
        var trainView = mlContext.Data.LoadFromEnumerable(data.Train);
        var testView = mlContext.Data.LoadFromEnumerable(data.Test);
        var model = ProgressView.Run(console, progress =>
            SpNetPipeline.Create(mlContext, settings, data.IsGrey, progress).Fit(trainView));
        var spNet = SpNetCatalog.FindSpNet(model)
            ?? throw new InvalidOperationException("The fitted pipeline holds no switchable-precision transformer.");
        double trainingSeconds = clock.Elapsed.TotalSeconds;
        console.MarkupLineInterpolated($"Trained in {trainingSeconds:0} s.");

        var testFeatures = mlContext.Data.Cache(SpNetPipeline.Featurizer(model, spNet).Transform(testView));
        var evaluations = spNet.EvaluateSwitches(testFeatures);
        var report = spNet.GetPrecisionReport();
        var latency = LatencyMeter.Measure(mlContext, model, spNet, data.Test.Take(LatencyImages).ToArray());
        var results = evaluations.Select(e => new SwitchResult(e.Precision, e.Metrics,
            report.Switches.Single(c => c.Precision == e.Precision),
            BitOperations.PerImage(report.Layers, e.Precision), latency[e.Precision])).ToArray();

        console.Write(ResultTables.Switches(results, data.Test.Count));
        var lowest = results.MinBy(r => r.BitOperations)!;
        console.Write(ResultTables.ConfusionMatrix($"Confusion matrix of the lowest switch, {lowest.Precision}",
            lowest.Metrics.ConfusionMatrix, spNet.ClassNames));

        Directory.CreateDirectory(settings.OutputFolder);
        string modelPath = Path.Combine(settings.OutputFolder, ModelFileName);
        mlContext.Model.SaveAtomically(model, trainView.Schema, modelPath);
        string chartPath = Path.Combine(settings.OutputFolder, ChartFileName);
        TradeoffChart.Write(chartPath,
            string.Create(CultureInfo.InvariantCulture, $"SP-Net {settings.Architecture}: accuracy vs cost per switch ({data.Test.Count:N0} test images)"),
            "bit operations per image (MACs x weight bits x activation bits, log scale)", "test accuracy (%)",
            results.Select(r => new ChartPoint(r.Precision.ToString(), r.BitOperations, 100 * r.Metrics.MicroAccuracy)).ToArray(),
            logX: true);
        string resultsFolder = settings.ResultsFolder ?? settings.OutputFolder;
        ResultFiles.Write(resultsFolder, new RunRecord(settings.Arguments, settings, data.Train.Count, data.Test.Count, MachineState.Now(),
            loadAtStart, clock.Elapsed.TotalSeconds, trainingSeconds, LatencyMeter.Rounds, LatencyImages, results));
        console.MarkupLineInterpolated($"Model: [bold]{modelPath}[/]");
        console.MarkupLineInterpolated($"Results: [bold]{Path.Combine(resultsFolder, ResultFiles.MarkdownFileName)}[/] and {ResultFiles.JsonFileName}");
        console.MarkupLineInterpolated($"Chart: [bold]{chartPath}[/]");
        console.MarkupLineInterpolated($"Done in {clock.Elapsed.TotalSeconds:0} s.");
        (model as IDisposable)?.Dispose();
        return results;
    }
}
