using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>
/// Trains one SP-Net pipeline on real Fashion-MNIST PNG files, once for all ML.NET integration tests:
/// MapValueToKey → LoadImages → ResizeImages → ExtractPixels → SpNet → MapKeyToValue.
/// </summary>
public sealed class TrainedPipelineFixture : IDisposable
{
    public static readonly Precision[] Switches = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];

    public TrainedPipelineFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "spnet-tests-" + Guid.NewGuid().ToString("N"));
        var trainRows = ImageFiles.Write(SubsetData.Balanced(SubsetData.Train, 100), Path.Combine(Root, "train"));
        var testRows = ImageFiles.Write(SubsetData.Balanced(SubsetData.Test, 30), Path.Combine(Root, "test"));
        TestTable = Path.Combine(Root, "test.tsv");
        ImageFiles.WriteTable(testRows, TestTable);

        Context = new MLContext(seed: 1);
        Context.Log += (_, e) => { lock (Log) Log.Add(e); };
        Train = Context.Data.LoadFromEnumerable(trainRows);
        Test = Context.Data.LoadFromEnumerable(testRows);
        Options = new SpNetOptions
        {
            Switches = Switches,
            Epochs = 4,
            BatchSize = 32,
            LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4,
            WidthMultiplier = 0.5,
            MetricsCallback = p => { lock (Progress) Progress.Add(p); },
        };
        Model = BuildPipeline(Context, Options).Fit(Train);
        SpNet = SpNetCatalog.FindSpNet(Model)!;
    }

    public string Root { get; }

    public string TestTable { get; }

    public MLContext Context { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    public SpNetOptions Options { get; }

    public ITransformer Model { get; }

    public SwitchablePrecisionTransformer SpNet { get; }

    public List<LoggingEventArgs> Log { get; } = [];

    public List<SwitchablePrecision.Training.TrainingProgress> Progress { get; } = [];

    public static IEstimator<ITransformer> Preprocessing(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 28, imageHeight: 28))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", colorsToExtract: Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red));

    public static IEstimator<ITransformer> BuildPipeline(MLContext ml, SpNetOptions options) =>
        Preprocessing(ml)
            .Append(ml.Transforms.SpNet(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));

    /// <summary>The Score column of <paramref name="data"/> run through <paramref name="model"/>, row by row.</summary>
    public static List<float[]> Scores(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<float[]>("Score").ToList();

    /// <summary>A prediction engine that leaves the shared model alive when it is disposed (ML.NET's default disposes it).</summary>
    public PredictionEngine<ImageRow, ImagePrediction> CreateEngine() =>
        Context.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(Model, new PredictionEngineOptions { OwnsTransformer = false });

    public void Dispose()
    {
        SpNet.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
