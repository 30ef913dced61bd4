// The program of the consumer check (.ci/consumer-check): built OUTSIDE this repository against the packed
// library (PackageReference from a local folder) or a ProjectReference built with -o, exactly as a user's project
// would be. It fails (non-zero exit) unless TorchSharp loads, a model trains on real images, predicts at two
// precisions, survives save and load with identical scores, and serves per-request prediction engines.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Data;
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
