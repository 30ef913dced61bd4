using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Native;

// Deployment size: a ResNet-20 trained briefly on Fashion-MNIST through the public API (MapValueToKey + SpNet), saved
// whole (mlContext.Model.Save) and exported for inference (mlContext.Model.SaveForInference) at its switches, for the
// binary-weight family and for multi-bit families, with float32 (exact) and float16 storage of the folds and float
// layers. Prints the .zip and entry sizes, their ratio, and what the compact entry's bytes are. Sizes depend on the
// architecture and switches, not on how long the model trained. Then (unless the third argument is 0) what float16
// storage costs: a binary-family ResNet-20 trained on that many training images for one epoch, exported both ways, and
// per switch on every test image the fraction whose predicted class differs between the two exports, and the largest
// logit difference.
//   dotnet run -c Release --project bench/Microsoft.ML.SwitchablePrecision.DeploymentSize -- [data folder] [size training images] [float16 training images]
var invariant = CultureInfo.InvariantCulture;
string dataFolder = args.Length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist";
int images = args.Length > 1 ? int.Parse(args[1], invariant) : 256;
int costImages = args.Length > 2 ? int.Parse(args[2], invariant) : 10000;
TorchSharpRuntime.EnsureAvailable();
TorchSharp.torch.set_num_threads(1);
Console.WriteLine($"DeploymentSize {string.Join(' ', args)}");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}; shared with other jobs (sizes do not depend on it)");
Console.WriteLine($"model: ResNet-20 width 1, DoReFa, 1x28x28, 10 classes, 1 epoch on the first {images} Fashion-MNIST training images, batch 32");

var ml = new MLContext(seed: 1);
var trainSet = FashionMnist.Load(dataFolder, train: true);
var data = ml.Data.LoadFromEnumerable(Rows(trainSet.Take(images)));
var folder = Directory.CreateTempSubdirectory("spnet-deployment-size").FullName;
Precision[] binary = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];
try
{
    Measure("binary weights", binary, [binary, [new(1, 1)]]);
    Measure("multi-bit", [new(2, 2), new(4, 4), new(8, 8), Precision.FullPrecision],
        [[new(2, 2), new(4, 4), new(8, 8), Precision.FullPrecision], [new(2, 2), new(4, 4), new(8, 8)], [new(2, 2)]]);
    if (costImages > 0) Float16Cost();
}
finally
{
    Directory.Delete(folder, recursive: true);
}
return 0;

void Measure(string family, Precision[] switches, Precision[][] exports)
{
    var model = Train(switches, data, batch: 32);
    var fullPath = Path.Combine(folder, "full.zip");
    ml.Model.SaveAtomically(model, data.Schema, fullPath);
    long fullZip = new FileInfo(fullPath).Length, fullEntry = Entry(fullPath, "SpNetModel.bin").Length;
    Console.WriteLine();
    Console.WriteLine($"{family} family {string.Join(",", switches)}: full model .zip {fullZip} bytes (SpNetModel.bin {fullEntry} bytes)");
    Console.WriteLine("| exported switches | floats | .zip bytes | ratio to full .zip | SpNetCompact.bin bytes (in the .zip) | uncompressed | weights: 1-bit / k-bit / float | folded norms | other |");
    Console.WriteLine("|---|---|---:|---:|---:|---:|---|---:|---:|");
    foreach (var export in exports)
        foreach (var storage in new[] { InferenceFloatStorage.Float32, InferenceFloatStorage.Float16 })
        {
            var path = Path.Combine(folder, "compact.zip");
            ml.Model.SaveForInference(model, data.Schema, path, export, new InferenceExportOptions { FloatStorage = storage });
            long zip = new FileInfo(path).Length;
            var (entry, compressed) = Entry(path, "SpNetCompact.bin");
            long uncompressed = UncompressedLength(path);
            var parts = CompactParts.Of(SpNetCatalog.FindSpNet(ml.Model.Load(path, out _))!.Exported!);
            Console.WriteLine($"| {string.Join(",", export)} | {storage} | {zip} | 1/{(double)fullZip / zip:F2} | {entry} ({compressed}) | {uncompressed} | {parts.OneBit} / {parts.KBit} / {parts.Float} | {parts.Folds} | {uncompressed - parts.OneBit - parts.KBit - parts.Float - parts.Folds} |");
        }
    (model as IDisposable)?.Dispose();
}

void Float16Cost()
{
    var test = FashionMnist.Load(dataFolder, train: false);
    var costData = ml.Data.LoadFromEnumerable(Rows(trainSet.Take(costImages)));
    var started = DateTime.UtcNow;
    var model = Train(binary, costData, batch: 128);
    Console.WriteLine();
    Console.WriteLine($"float16 storage against float32: binary family trained 1 epoch on the first {Math.Min(costImages, trainSet.Count)} training images, batch 128 " +
        $"({(DateTime.UtcNow - started).TotalMinutes:F1} min, 1 torch thread); all {test.Count} test images scored on each export's plans");
    var fullPath = Path.Combine(folder, "cost-full.zip");
    ml.Model.SaveAtomically(model, costData.Schema, fullPath);
    long fullZip = new FileInfo(fullPath).Length;
    var exports = new[] { InferenceFloatStorage.Float32, InferenceFloatStorage.Float16 }.Select(storage =>
    {
        var path = Path.Combine(folder, $"cost-{storage}.zip");
        ml.Model.SaveForInference(model, costData.Schema, path, binary, new InferenceExportOptions { FloatStorage = storage });
        long zip = new FileInfo(path).Length;
        Console.WriteLine($"this model: full .zip {fullZip} bytes, exported with {storage} {zip} bytes: 1/{(double)fullZip / zip:F2}");
        return SpNetCatalog.FindSpNet(ml.Model.Load(path, out _))!.Exported!;
    }).ToArray();
    // The model's classes are in key order (first appearance in the training data), not the dataset's label order.
    var keyNames = SpNetCatalog.FindSpNet(model)!.ClassNames.ToList();
    var truth = test.Labels.Select(l => keyNames.IndexOf(test.ClassNames[l])).ToArray();
    Console.WriteLine("| switch | accuracy float32 | accuracy float16 | predicted class differs | largest logit difference | largest difference / largest logit of its image |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    for (int s = 0; s < binary.Length; s++)
    {
        var exact = Logits(exports[0].Plan(s), test);
        var half = Logits(exports[1].Plan(s), test);
        int flips = 0, rightExact = 0, rightHalf = 0;
        double largest = 0, relative = 0;
        for (int i = 0; i < test.Count; i++)
        {
            var a = exact.AsSpan(i * 10, 10);
            var b = half.AsSpan(i * 10, 10);
            int ca = ArgMax(a), cb = ArgMax(b);
            flips += ca != cb ? 1 : 0;
            rightExact += ca == truth[i] ? 1 : 0;
            rightHalf += cb == truth[i] ? 1 : 0;
            float scale = 0;
            for (int c = 0; c < 10; c++) scale = MathF.Max(scale, MathF.Abs(a[c]));
            for (int c = 0; c < 10; c++)
            {
                double d = Math.Abs(a[c] - b[c]);
                largest = Math.Max(largest, d);
                relative = Math.Max(relative, d / scale);
            }
        }
        Console.WriteLine($"| {binary[s]} | {100.0 * rightExact / test.Count:F2}% | {100.0 * rightHalf / test.Count:F2}% | {flips} of {test.Count} ({100.0 * flips / test.Count:F2}%) | {largest:G3} | {relative:G3} |");
    }
    (model as IDisposable)?.Dispose();
}

ITransformer Train(Precision[] switches, IDataView trainingData, int batch) =>
    ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.SpNet(new SpNetOptions { Switches = switches, WidthMultiplier = 1, Epochs = 1, BatchSize = batch }))
        .Fit(trainingData);

static float[] Logits(Microsoft.ML.SwitchablePrecision.Inference.InferencePlan plan, ImageDataset set)
{
    var logits = new float[set.Count * plan.Classes];
    const int Batch = 256;
    for (int start = 0; start < set.Count; start += Batch)
    {
        int n = Math.Min(Batch, set.Count - start);
        plan.Predict(set.Pixels.AsSpan(start * set.ImageSize, n * set.ImageSize), n, logits.AsSpan(start * plan.Classes, n * plan.Classes), threads: 1);
    }
    return logits;
}

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
    return best;
}

static IEnumerable<Row> Rows(ImageDataset set)
{
    for (int i = 0; i < set.Count; i++)
        yield return new Row { Features = set.Pixels.AsSpan(i * set.ImageSize, set.ImageSize).ToArray(), Label = set.ClassNames[set.Labels[i]] };
}

static (long Length, long Compressed) Entry(string path, string suffix)
{
    using var zip = ZipFile.OpenRead(path);
    var entry = zip.Entries.Single(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal));
    return (entry.Length, entry.CompressedLength);
}

// The entry's size before its plans were compressed: envelope, metadata, the plans' declared original length.
static long UncompressedLength(string path)
{
    using var zip = ZipFile.OpenRead(path);
    using var stream = zip.Entries.Single(e => e.FullName.EndsWith("SpNetCompact.bin", StringComparison.Ordinal)).Open();
    var copy = new MemoryStream();
    stream.CopyTo(copy);
    var bytes = copy.ToArray();
    const int Envelope = 52;
    int metadata = BitConverter.ToInt32(bytes, Envelope);
    return Envelope + sizeof(int) + metadata + sizeof(int) + BitConverter.ToInt32(bytes, Envelope + sizeof(int) + metadata);
}

internal sealed class Row
{
    [VectorType(1, 28, 28)]
    public float[] Features { get; set; } = [];

    public string Label { get; set; } = "";
}

/// <summary>
/// The bytes a compact entry spends on its distinct weight tensors (by kind: 1-bit and k-bit levels, float values) and
/// on its distinct folds, as format version 2 stores them before compression (float values 4 or 2 bytes each).
/// </summary>
internal sealed record CompactParts(long OneBit, long KBit, long Float, long Folds)
{
    public static CompactParts Of(ExportedPlans plans)
    {
        int width = plans.FloatStorage == InferenceFloatStorage.Float16 ? 2 : 4;
        var layers = plans.Descriptions.SelectMany(d => d.Layers).ToList();
        var tensors = layers.Select(l => l.Weights).OfType<WeightLevels>()
            .DistinctBy(w => Convert.ToBase64String(Microsoft.ML.SwitchablePrecision.Persistence.StoredWeights.Encode(w))).ToList();
        long Levels(Func<int, bool> bits) => tensors.Where(t => bits(t.Bits))
            .Sum(t => (long)Microsoft.ML.SwitchablePrecision.Persistence.StoredWeights.Encode(t).Length);
        long floats = tensors.Where(t => t.IsFullPrecision).Sum(t => (long)t.Values.Length * width);
        long folds = layers.Select(l => l.Fold).OfType<FoldedNorm>()
            .DistinctBy(f => string.Join(',', f.Multiplier.Concat(f.Bias).Select(v => BitConverter.SingleToInt32Bits(v)))).Sum(f => 2L * width * f.Bias.Length);
        return new CompactParts(Levels(b => b == 1), Levels(b => b is > 1 and <= 8), floats, folds);
    }
}
