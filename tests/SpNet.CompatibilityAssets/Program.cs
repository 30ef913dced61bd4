// Trains three small models (DoReFa, PACT, LSQ; binary and multi-bit weights) for a few steps on the embedded
// Fashion-MNIST subset, saves each with mlContext.Model.Save and records its scores on eight test images at every
// switch. Tests load the files with today's code and must reproduce the scores: models saved by earlier builds keep
// loading and predicting identically.
// With a third argument "compact" it instead exports each model for inference (mlContext.Model.SaveForInference at
// every switch but W32A32) as <name>.compact.zip and records the exported model's scores.
// Usage: dotnet run --project tests/SpNet.CompatibilityAssets -- <data folder> <output folder> [compact]
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Data;

string dataFolder = args[0], output = args[1];
bool compact = args.Length > 2 && args[2] == "compact";
Directory.CreateDirectory(output);
var train = FashionMnist.Load(dataFolder, train: true).Take(600);
var test = FashionMnist.Load(dataFolder, train: false).Take(8);

var models = new (string Name, QuantizerKind Quantizer, Precision[] Switches, bool Clip)[]
{
    ("dorefa", QuantizerKind.DoReFa, [new(1, 1), new(1, 2), new(2, 2), new(1, 32), new(32, 32)], true),
    ("pact", QuantizerKind.Pact, [new(1, 2), new(4, 4), new(32, 32)], false),
    ("lsq", QuantizerKind.Lsq, [new(2, 2), new(8, 8), new(32, 32)], false),
};
foreach (var (name, quantizer, switches, clip) in models)
{
    var context = new MLContext(seed: 7);
    var pipeline = context.Transforms.Conversion.MapValueToKey("Label")
        .Append(context.Transforms.SpNet(new SpNetOptions
        {
            Switches = switches,
            Quantizer = quantizer,
            ClipFullPrecisionActivations = clip,
            WidthMultiplier = 0.25,
            Epochs = 2,
            BatchSize = 64,
            LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4,
            ImageChannels = 1,
            ImageHeight = 28,
            ImageWidth = 28,
        }));
    var model = pipeline.Fit(context.Data.LoadFromEnumerable(Rows(train)));
    var testView = context.Data.LoadFromEnumerable(Rows(test));
    var spNet = SpNetCatalog.FindSpNet(model)!;
    var scores = new Dictionary<string, float[][]>();
    foreach (var precision in spNet.Switches)
    {
        spNet.Precision = precision;
        scores[precision.ToString()] = context.Data.CreateEnumerable<Scored>(model.Transform(testView), reuseRowObject: false)
            .Select(r => r.Score).ToArray();
    }
    spNet.Precision = switches[^1];
    if (!compact) context.Model.Save(model, testView.Schema, Path.Combine(output, $"{name}.zip"));
    var record = new
    {
        Written = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Commit = Environment.GetEnvironmentVariable("ASSET_COMMIT") ?? "unknown",
        Images = "the first 8 images of t10k in the data folder, pixel values 0-255",
        ActivePrecision = spNet.Precision.ToString(),
        Scores = scores,
    };
    if (!compact) File.WriteAllText(Path.Combine(output, $"{name}.scores.json"), JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"{name}: {string.Join(", ", scores.Select(kv => $"{kv.Key} first score {kv.Value[0].Max():F4}"))}");
    if (compact)
    {
        var exported = switches.Where(s => s != Precision.FullPrecision).ToArray();
        var compactPath = Path.Combine(output, $"{name}.compact.zip");
        context.Model.SaveForInference(model, testView.Schema, compactPath, exported);
        var loaded = context.Model.Load(compactPath, out _);
        var compactSpNet = SpNetCatalog.FindSpNet(loaded)!;
        var active = compactSpNet.Precision;
        var compactScores = new Dictionary<string, float[][]>();
        foreach (var precision in exported)
        {
            compactSpNet.Precision = precision;
            compactScores[precision.ToString()] = context.Data.CreateEnumerable<Scored>(loaded.Transform(testView), reuseRowObject: false)
                .Select(r => r.Score).ToArray();
        }
        File.WriteAllText(Path.Combine(output, $"{name}.compact.scores.json"), JsonSerializer.Serialize(
            record with { ActivePrecision = active.ToString(), Scores = compactScores }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"{name} exported for inference: {string.Join(", ", exported)}");
    }
    spNet.Dispose();
}

static IEnumerable<Row> Rows(ImageDataset data)
{
    for (int i = 0; i < data.Count; i++)
        yield return new Row { Label = (uint)data.Labels[i], Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray() };
}

internal sealed class Row
{
    public uint Label { get; set; }

    [VectorType(784)]
    public float[] Features { get; set; } = [];
}

internal sealed class Scored
{
    public float[] Score { get; set; } = [];
}
