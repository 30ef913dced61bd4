// The program of the consumer check (.ci/consumer-check): built OUTSIDE this repository against the packed
// library (PackageReference from a local folder) or a ProjectReference built with -o, exactly as a user's project
// would be. It fails (non-zero exit) unless TorchSharp loads, a model trains on real images, predicts at two
// precisions, survives save and load with identical scores, serves per-request prediction engines, and the
// precision-on-demand API works: AtPrecision, Profiles, SelectPrecision, a governor with a PrecisionChanged handler
// and CreateSpNetTransformer.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.OnDemand;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;

if (args.Length != 2) throw new ArgumentException("usage: ConsumerCheck <embedded data folder> <work folder>");
var imageFolder = Path.Combine(args[1], "images");
var testImages = WriteImageFolder(FashionMnist.Load(args[0], train: false).Take(200), Path.Combine(args[1], "test"));
WriteImageFolder(FashionMnist.Load(args[0], train: true).Take(600), imageFolder);

// --- What the README's "Use it in your project" shows ---
var mlContext = new MLContext(seed: 1);
var images = Directory.GetFiles(imageFolder, "*.png", SearchOption.AllDirectories)
    .Select(path => new ImageInput { ImagePath = path, Label = Path.GetFileName(Path.GetDirectoryName(path))! });
var data = mlContext.Data.LoadFromEnumerable(images);
var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: "ImagePath"))
    .Append(mlContext.Transforms.ResizeImages("Image", imageWidth: 28, imageHeight: 28))
    .Append(mlContext.Transforms.ExtractPixels("Features", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
    .Append(mlContext.Transforms.SpNet(new SpNetOptions
    {
        Switches = [Precision.Parse("W1A1"), Precision.Parse("W1A32")], Epochs = 3, BatchSize = 32, WidthMultiplier = 0.5,
    }))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
var model = pipeline.Fit(data);
var modelPath = Path.Combine(args[1], "model.zip");
mlContext.Model.SaveAtomically(model, data.Schema, modelPath);

var loaded = mlContext.Model.LoadChecked(modelPath, out _);
var spNet = SpNetCatalog.FindSpNet(loaded)!;
using var engine = mlContext.Model.CreatePredictionEngine<ImageInput, ImageOutput>(loaded,
    new PredictionEngineOptions { OwnsTransformer = false });
foreach (var precision in spNet.Switches)
{
    spNet.Precision = precision;
    Console.WriteLine($"{precision}: {testImages[0].ImagePath} is {engine.Predict(testImages[0]).PredictedClass}");
}
// --- end of the README program ---

// The deployment proof (.ci/consumer-check publishes samples/SpNet.Predict, which references the prediction runtime
// alone): the same trained pipeline with the predicted class mapped to its name in place, as SpNet.Predict reads it,
// and the classes this training-side process predicts for the first test image at every switch.
var forSample = new TransformerChain<ITransformer>([.. (IEnumerable<ITransformer>)model,
    mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(model.Transform(data))]);
mlContext.Model.Save(forSample, data.Schema, Path.Combine(args[1], "model-for-predict.zip"));
var sampleModel = mlContext.Model.Load(Path.Combine(args[1], "model-for-predict.zip"), out _);
var sampleSpNet = SpNetCatalog.FindSpNet(sampleModel)!;
using (var sampleEngine = mlContext.Model.CreatePredictionEngine<ImageInput, SampleOutput>(sampleModel))
    File.WriteAllLines(Path.Combine(args[1], "expected-predictions.tsv"), sampleSpNet.Switches.Select(precision =>
    {
        sampleSpNet.Precision = precision;
        return $"{precision}\t{sampleEngine.Predict(testImages[0]).PredictedLabel}";
    }));

var test = mlContext.Data.LoadFromEnumerable(testImages);
foreach (var precision in spNet.Switches)
{
    SpNetCatalog.FindSpNet(model)!.Precision = precision;
    spNet.Precision = precision;
    var before = model.Transform(test).GetColumn<float[]>("Score").ToList();
    var after = loaded.Transform(test).GetColumn<float[]>("Score").ToList();
    for (int i = 0; i < before.Count; i++)
        if (!before[i].SequenceEqual(after[i]))
            throw new InvalidOperationException($"{precision}: image {i} scores differently after save and load.");
    var accuracy = mlContext.MulticlassClassification.Evaluate(loaded.Transform(test), "Label").MicroAccuracy;
    Console.WriteLine($"{precision}: scores identical after save and load on {before.Count} images; accuracy {accuracy:P1}");
    if (accuracy < 0.25) throw new InvalidOperationException($"{precision}: accuracy {accuracy:P1} is not clearly above chance (10%).");
}

var expected = engine.Predict(testImages[1]).Score;
for (int request = 0; request < 20; request++)
{
    using var perRequest = mlContext.Model.CreatePredictionEngine<ImageInput, ImageOutput>(loaded);
    if (!perRequest.Predict(testImages[1]).Score.SequenceEqual(expected))
        throw new InvalidOperationException($"per-request engine {request} scored differently.");
}
Console.WriteLine("20 per-request prediction engines (created and disposed per call) gave the long-lived engine's scores");

// --- Precision on demand, as the README's section shows ---
var featurizer = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)loaded).TakeWhile(t => !ReferenceEquals(t, spNet)).ToArray());
var features = featurizer.Transform(test);
spNet.Precision = Precision.Parse("W1A32");
var atW1A1 = spNet.AtPrecision(Precision.Parse("W1A1")).Transform(features).GetColumn<float[]>("Score").ToList();
spNet.Precision = Precision.Parse("W1A1");
var activeW1A1 = spNet.Transform(features).GetColumn<float[]>("Score").ToList();
if (!atW1A1.Zip(activeW1A1).All(pair => pair.First.SequenceEqual(pair.Second)))
    throw new InvalidOperationException("AtPrecision(W1A1) scored differently from the model switched to W1A1.");
Console.WriteLine($"AtPrecision(W1A1) scored {atW1A1.Count} images as the model at W1A1 does");

var profiles = spNet.Profiles; // the first read measures latency on this machine
foreach (var profile in profiles)
{
    if (profile.Latency is null || profile.Latency.SingleImage <= TimeSpan.Zero || profile.WeightBytes <= 0 || profile.TotalMacs <= 0)
        throw new InvalidOperationException($"{profile.Precision}: incomplete profile {profile}.");
    Console.WriteLine($"{profile.Precision}: {profile.WeightBytes} weight bytes, {profile.TotalMacs} MACs, {profile.EstimatedEnergyPerImage:G3} J (estimate), " +
        $"{profile.Latency.SingleImage.TotalMilliseconds:0.00} ms per image, accuracy {(profile.Accuracy is { } a ? a.ToString("P1") : "unknown")}");
}
var cheapest = profiles.MinBy(p => p.EstimatedEnergyPerImage)!;
spNet.Precision = spNet.SelectPrecision(new PrecisionBudget { MaxEnergyPerImage = cheapest.EstimatedEnergyPerImage }).Precision;
if (spNet.Precision != cheapest.Precision)
    throw new InvalidOperationException($"SelectPrecision chose {spNet.Precision} under the energy of {cheapest.Precision}, the only switch within it.");
var impossible = spNet.SelectPrecision(new PrecisionBudget { MaxEnergyPerImage = cheapest.EstimatedEnergyPerImage / 2 });
if (impossible.Fits || impossible.Violations.Count != profiles.Count)
    throw new InvalidOperationException("A budget below every switch's energy was reported as met.");
Console.WriteLine($"SelectPrecision chose {spNet.Precision}; below every switch: {impossible.Violations[0]}");

// A target no prediction can meet: the governor must step down from W1A32 within its dwell and say why.
spNet.Precision = Precision.Parse("W1A32");
var changes = new List<PrecisionChangedEventArgs>();
spNet.PrecisionChanged += (_, change) => { lock (changes) changes.Add(change); };
spNet.Governor = PrecisionGovernor.ForLatency(TimeSpan.FromTicks(1), percentile: 0.95);
var deadline = DateTime.UtcNow.AddSeconds(30);
while (DateTime.UtcNow < deadline && changes.Count == 0) engine.Predict(testImages[2]);
spNet.Governor = null;
var first = changes.FirstOrDefault() ?? throw new InvalidOperationException("The governor made no change under a 0.1 microsecond target within 30 s.");
if (first.Previous != Precision.Parse("W1A32") || first.Current != Precision.Parse("W1A1") || !first.Reason.Contains("above the target"))
    throw new InvalidOperationException($"Unexpected governor change: {first}.");
Console.WriteLine($"governor: {first}");

// A network built outside a pipeline becomes a transformer (here untrained; the transformer owns and disposes it).
var network = NetworkFactory.Create(new NetworkOptions { Switches = [Precision.Parse("W1A1"), Precision.Parse("W1A32")], WidthMultiplier = 0.25 }, seed: 1);
using var wrapped = mlContext.Model.CreateSpNetTransformer(network, spNet.ClassNames.ToArray());
var wrappedScores = wrapped.Transform(features).GetColumn<float[]>("Score").First();
if (wrappedScores.Length != 10 || Math.Abs(wrappedScores.Sum() - 1) > 1e-3)
    throw new InvalidOperationException("CreateSpNetTransformer's transformer gave no probability distribution.");
Console.WriteLine($"CreateSpNetTransformer: {wrapped.Switches.Count} switches, {wrapped.Profiles.Count} profiles");
Console.WriteLine("consumer check passed");

static List<ImageInput> WriteImageFolder(ImageDataset dataset, string folder)
{
    var rows = new List<ImageInput>();
    for (int i = 0; i < dataset.Count; i++)
    {
        var label = dataset.ClassNames[dataset.Labels[i]].Replace('/', '-'); // a folder name per class
        var path = Path.Combine(folder, label, $"{i:D4}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(dataset.Width, dataset.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = dataset.Pixels.AsSpan(i * dataset.ImageSize, dataset.ImageSize);
        for (int p = 0; p < pixels.Length; p++)
        {
            byte grey = (byte)Math.Clamp(pixels[p], 0, 255);
            bitmap.SetPixel(p % dataset.Width, p / dataset.Width, new SKColor(grey, grey, grey));
        }
        using var file = File.Create(path);
        bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
        rows.Add(new ImageInput { ImagePath = path, Label = label });
    }
    return rows;
}

public sealed class ImageInput
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class ImageOutput
{
    public string PredictedClass { get; set; } = "";
    public float[] Score { get; set; } = [];
}

public sealed class SampleOutput
{
    public string PredictedLabel { get; set; } = "";
}
