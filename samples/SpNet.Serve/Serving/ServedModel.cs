using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace SpNet.Serve.Serving;

/// <summary>
/// One loaded model.zip of SpNet.Train, shared by all requests: uploads are written to a private temporary file and
/// decoded by the saved pipeline's own <c>LoadImages</c>/<c>ResizeImages</c>/<c>ExtractPixels</c>, as in training.
/// The pipeline runs as two PredictionEngines, the image steps and then the network, so that each answer can say how
/// long the network took: the part the governor observes and the switch changes.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly EnginePool<(PredictionEngine<ImageRow, FeatureRow> Featurize, PredictionEngine<FeatureRow, ScoreRow> Network)> _engines;
    private readonly string _uploads = Directory.CreateTempSubdirectory("spnet-serve-").FullName;
    private readonly ConcurrentQueue<PrecisionChangedEventArgs> _changes = new();
    private long _served;

    private ServedModel(MLContext mlContext, ITransformer featurizer, SwitchablePrecisionTransformer spNet)
    {
        SpNet = spNet;
        // The network's input column as the image steps produce it (a vector with its (C, H, W) dimensions).
        var imageSchema = mlContext.Data.LoadFromEnumerable(Array.Empty<ImageRow>()).Schema;
        var features = SchemaDefinition.Create(typeof(FeatureRow));
        features[nameof(FeatureRow.Features)].ColumnType = featurizer.GetOutputSchema(imageSchema)[spNet.Options.FeatureColumnName].Type;
        _engines = new(() => (
            mlContext.Model.CreatePredictionEngine<ImageRow, FeatureRow>(featurizer),
            mlContext.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(spNet, inputSchemaDefinition: features)));
        spNet.PrecisionChanged += (_, change) => _changes.Enqueue(change);
    }

    /// <summary>The switchable-precision network inside the pipeline.</summary>
    public SwitchablePrecisionTransformer SpNet { get; }

    /// <summary>Every precision change since loading, oldest first.</summary>
    public IReadOnlyList<PrecisionChangedEventArgs> Changes => _changes.ToArray();

    /// <summary>PredictionEngines created for concurrent requests.</summary>
    public int EnginesCreated => _engines.Created;

    /// <summary>Requests answered so far.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Loads <paramref name="path"/>; a missing file or a model without an SP-Net is a clear error.</summary>
    public static ServedModel Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Model '{path}' does not exist: train one with 'dotnet run -c Release --project samples/SpNet.Train -- --output <folder>'.", path);
        var mlContext = new MLContext();
        var model = mlContext.Model.LoadChecked(path, out _);
        var spNet = SpNetCatalog.FindSpNet(model)
            ?? throw new InvalidDataException($"Model '{path}' holds no switchable-precision network: expected a model.zip written by SpNet.Train.");
        if (spNet.Options.FeatureColumnName != nameof(FeatureRow.Features))
            throw new InvalidDataException($"Model '{path}' feeds its network from column '{spNet.Options.FeatureColumnName}'; SpNet.Train's models use '{nameof(FeatureRow.Features)}'.");
        var featurizer = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)model).TakeWhile(t => !ReferenceEquals(t, spNet)).ToArray());
        return new ServedModel(mlContext, featurizer, spNet);
    }

    /// <summary>Classifies one encoded image (PNG, JPEG, BMP...) at the active switch.</summary>
    public PredictResponse Predict(ReadOnlySpan<byte> image)
    {
        if (image.IsEmpty) throw new InvalidDataException("The request holds no image: send the image file as the body or as a form file.");
        string file = Path.Combine(_uploads, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(file, image);
        try
        {
            long start = Stopwatch.GetTimestamp();
            var precision = SpNet.Precision;
            ScoreRow output;
            TimeSpan network;
            try
            {
                (output, network) = _engines.With(engines =>
                {
                    var pixels = engines.Featurize.Predict(new ImageRow { ImagePath = file });
                    long scored = Stopwatch.GetTimestamp();
                    return (engines.Network.Predict(pixels), Stopwatch.GetElapsedTime(scored));
                });
            }
            catch (ArgumentException e) when (e.ParamName == "imageStream")
            {
                throw new InvalidDataException("The upload is not an image this model can read (expected a PNG, JPEG or BMP file).", e);
            }
            if (output.Score.Length != SpNet.ClassNames.Count || output.Score.Any(float.IsNaN))
                throw new InvalidDataException("The upload is not an image this model can read (expected a PNG, JPEG or BMP file).");
            Interlocked.Increment(ref _served);
            int best = Array.IndexOf(output.Score, output.Score.Max());
            return new PredictResponse(SpNet.ClassNames[best], output.Score[best], output.Score, precision.ToString(),
                Stopwatch.GetElapsedTime(start).TotalMilliseconds, network.TotalMilliseconds);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The active switch, every switch's profile, the governor and the changes so far.</summary>
    public StatusResponse Status()
    {
        var switches = SpNet.Profiles.Select(p => new SwitchStatus(p.Precision.ToString(), p.Accuracy, p.WeightBytes,
            p.PeakWorkingBytes, p.TotalMacs, p.Latency?.SingleImage.TotalMilliseconds)).ToArray();
        return new StatusResponse(SpNet.Precision.ToString(), SpNet.Governor?.ToString(), switches, SpNet.ClassNames,
            Changes.Select(c => $"{c.Time:HH:mm:ss.fff} {c}").ToArray(), Served);
    }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(_uploads, recursive: true);
}
