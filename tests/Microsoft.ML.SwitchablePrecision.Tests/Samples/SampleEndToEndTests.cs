using SkiaSharp;
using Spectre.Console;
using SpNet.Predict;
using SpNet.Train.Cli;
using SpNet.Train.Data;
using SpNet.Train.Reporting;
using SpNet.Train.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

// One small run through both samples: IDX files -> PNG cache -> ML.NET pipeline -> model.zip -> consumption app.
public sealed class SampleEndToEndTests : IDisposable
{
    private static readonly Precision W1A1 = new(1, 1), W1A32 = new(1, 32);
    private readonly SampleFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void The_training_job_writes_a_model_that_the_consumption_app_answers_with_at_each_switch()
    {
        var train = IdxFolder.Read(DataSelection.ShippedSubset, train: true);
        var test = IdxFolder.Read(DataSelection.ShippedSubset, train: false);
        _files.WriteIdx("idx", "train", train.Pixels[..(100 * 784)], train.Labels[..100], 28, 28);
        _files.WriteIdx("idx", "t10k", test.Pixels[..(20 * 784)], test.Labels[..20], 28, 28);
        var settings = new TrainSettings
        {
            DataFolder = _files.PathOf("idx"), OutputFolder = _files.PathOf("out"), Switches = [W1A1, W1A32],
            Epochs = 1, BatchSize = 50, Width = 0.5, Seed = 5, WarmStart = 0.25,
        };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No,
        });

        var results = TrainJob.Run(settings, console);

        Assert.Equal([W1A1, W1A32], results.Select(r => r.Precision));
        Assert.All(results, r => Assert.Equal(10, r.Metrics.ConfusionMatrix.NumberOfClasses));
        Assert.All(results, r => Assert.Equal(20, r.Metrics.ConfusionMatrix.Counts.Sum(row => row.Sum())));
        Assert.True(results[0].Cost.BinaryMacs > 0);
        Assert.Equal(0, results[1].Cost.BinaryMacs);
        Assert.True(results[0].BitOperations < results[1].BitOperations);
        string markdown = File.ReadAllText(_files.PathOf("out", ResultFiles.MarkdownFileName));
        Assert.Contains(ResultFiles.TableStartMarker + "\n" + ResultFiles.SwitchTable(results), markdown.ReplaceLineEndings("\n"));
        Assert.Contains("- Training: 1 epochs, batch 50, float warm start over 0.25 of the steps, seed 5", markdown);
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_files.PathOf("out", ResultFiles.JsonFileName))))
        {
            Assert.Equal(results.Select(r => r.Metrics.MicroAccuracy),
                json.RootElement.GetProperty("Switches").EnumerateArray().Select(e => e.GetProperty("MicroAccuracy").GetDouble()));
            Assert.Equal(0.25, json.RootElement.GetProperty("Settings").GetProperty("WarmStart").GetDouble());
        }
        using (var chart = SKBitmap.Decode(_files.PathOf("out", TrainJob.ChartFileName)))
            Assert.Equal(900, chart.Width);

        string image = Directory.EnumerateFiles(_files.PathOf("out"), "*.png", SearchOption.AllDirectories)
            .First(path => path.Contains($"{Path.DirectorySeparatorChar}test{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        SpNetModel.ModelPath = _files.PathOf("out", TrainJob.ModelFileName);
        Assert.Equal([W1A1, W1A32], SpNetModel.Switches);
        var input = new ModelInput { ImagePath = image };
        var scores = new List<float[]>();
        foreach (var precision in SpNetModel.Switches)
        {
            SpNetModel.Precision = precision;
            var output = SpNetModel.Predict(input);
            Assert.Equal(10, output.Score.Length);
            Assert.Equal(1.0, output.Score.Sum(), 3);
            Assert.Equal(SpNetModel.ClassNames[Array.IndexOf(output.Score, output.Score.Max())], output.PredictedLabel);
            scores.Add(output.Score);
        }
        Assert.NotEqual(scores[0], scores[1]);

        // The consumption app, answering image by image from model.zip, reproduces the accuracy the training job
        // reported for every switch: an independent path through the saved model, the image files and the labels.
        var testImages = Directory.EnumerateFiles(_files.PathOf("out"), "*.png", SearchOption.AllDirectories)
            .Where(path => path.Contains($"{Path.DirectorySeparatorChar}test{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.Equal(20, testImages.Count);
        for (int s = 0; s < results.Count; s++)
        {
            SpNetModel.Precision = results[s].Precision;
            int correct = testImages.Count(path =>
                SpNetModel.Predict(new ModelInput { ImagePath = path }).PredictedLabel == Path.GetFileName(Path.GetDirectoryName(path)));
            Assert.Equal(results[s].Metrics.MicroAccuracy, correct / 20.0, 12);
        }
        Assert.Equal(FashionMnistClasses.Names.Order(StringComparer.Ordinal), SpNetModel.ClassNames);
    }
}
