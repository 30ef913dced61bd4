using Spectre.Console;
using SpNet.Train.Cli;
using SpNet.Train.Data;
using SpNet.Train.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples.Serve;

/// <summary>A model.zip of SpNet.Train small enough for tests (100 images, one epoch, W1A1 and W1A32), with its PNG test images.</summary>
public sealed class TinyServedModel : IDisposable
{
    private readonly SampleFiles _files = new();

    public TinyServedModel()
    {
        var train = IdxFolder.Read(DataSelection.ShippedSubset, train: true);
        var test = IdxFolder.Read(DataSelection.ShippedSubset, train: false);
        _files.WriteIdx("idx", "train", train.Pixels[..(100 * 784)], train.Labels[..100], 28, 28);
        _files.WriteIdx("idx", "t10k", test.Pixels[..(20 * 784)], test.Labels[..20], 28, 28);
        var settings = new TrainSettings
        {
            DataFolder = _files.PathOf("idx"), OutputFolder = _files.PathOf("out"), Switches = [new(1, 1), new(1, 32)],
            Epochs = 1, BatchSize = 50, Width = 0.25, Seed = 3,
        };
        var quiet = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No,
        });
        TrainJob.Run(settings, quiet);
        ModelPath = _files.PathOf("out", TrainJob.ModelFileName);
        TestImages = Directory.EnumerateDirectories(_files.PathOf("out"), "test", SearchOption.AllDirectories).Single();
    }

    public string ModelPath { get; }

    /// <summary>Class sub-folders of the 20 test PNGs.</summary>
    public string TestImages { get; }

    public string PathOf(params string[] parts) => _files.PathOf(parts);

    public void Dispose() => _files.Dispose();
}
