using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.OnDemand;

namespace SpNet.Serve.Serving;

/// <summary>
/// One loaded model.zip of SpNet.Train, shared by all requests: uploads are written to a private temporary file and
/// decoded by the saved pipeline's own <c>LoadImages</c>/<c>ResizeImages</c>/<c>ExtractPixels</c>, as in training.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly EnginePool _engines;
    private readonly string _uploads = Directory.CreateTempSubdirectory("spnet-serve-").FullName;
    private readonly ConcurrentQueue<PrecisionChangedEventArgs> _changes = new();
    private long _served;

    private ServedModel(MLContext mlContext, ITransformer model, SwitchablePrecisionTransformer spNet)
    {
        SpNet = spNet;
        _engines = new EnginePool(mlContext, model);
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
        return new ServedModel(mlContext, model, spNet);
    }

    /// <summary>Classifies one encoded image (PNG, JPEG, BMP...) at the active switch.</summary>
    public PredictResponse Predict(ReadOnlySpan<byte> image)
    {
        if (image.IsEmpty) throw new InvalidDataException("The request holds no image: send the image file as the body or as a form file.");
        string file = Path.Combine(_uploads, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(file, image);
        try
        {
            var clock = Stopwatch.StartNew();
            var precision = SpNet.Precision;
            Prediction output;
            try
            {
                output = _engines.With(engine => engine.Predict(new ImageRow { ImagePath = file }));
            }
            catch (ArgumentException e) when (e.ParamName == "imageStream")
            {
                throw new InvalidDataException("The upload is not an image this model can read (expected a PNG, JPEG or BMP file).", e);
            }
            if (output.Score.Length != SpNet.ClassNames.Count || output.Score.Any(float.IsNaN))
                throw new InvalidDataException("The upload is not an image this model can read (expected a PNG, JPEG or BMP file).");
            Interlocked.Increment(ref _served);
            return new PredictResponse(output.PredictedLabel, output.Score.Max(), output.Score, precision.ToString(), clock.Elapsed.TotalMilliseconds);
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
