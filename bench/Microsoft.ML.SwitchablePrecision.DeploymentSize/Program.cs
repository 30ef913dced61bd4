using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Native;

// Deployment size: a ResNet-20 trained briefly on Fashion-MNIST through the public API (MapValueToKey + SpNet), saved
// whole (mlContext.Model.Save) and exported for inference (mlContext.Model.SaveForInference) at its switches, for the
// binary-weight family and for multi-bit families. Prints the .zip and entry sizes, their ratio, and what the compact
// entry's bytes are. Sizes depend on the architecture and switches, not on how long the model trained.
//   dotnet run -c Release --project bench/Microsoft.ML.SwitchablePrecision.DeploymentSize -- [data folder] [training images]
var invariant = CultureInfo.InvariantCulture;
string dataFolder = args.Length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist";
int images = args.Length > 1 ? int.Parse(args[1], invariant) : 256;
TorchSharpRuntime.EnsureAvailable();
TorchSharp.torch.set_num_threads(1);
Console.WriteLine($"DeploymentSize {string.Join(' ', args)}");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}; shared with other jobs (sizes do not depend on it)");
Console.WriteLine($"model: ResNet-20 width 1, DoReFa, 1x28x28, 10 classes, 1 epoch on the first {images} Fashion-MNIST training images, batch 32");

var ml = new MLContext(seed: 1);
var train = FashionMnist.Load(dataFolder, train: true).Take(images);
var rows = Enumerable.Range(0, train.Count).Select(i => new Row
{
    Features = train.Pixels.AsSpan(i * train.ImageSize, train.ImageSize).ToArray(),
    Label = train.ClassNames[train.Labels[i]],
}).ToList();
var data = ml.Data.LoadFromEnumerable(rows);
var folder = Directory.CreateTempSubdirectory("spnet-deployment-size").FullName;
try
{
    Measure("binary weights", [new(1, 1), new(1, 2), new(1, 4), new(1, 32)], [[new(1, 1), new(1, 2), new(1, 4), new(1, 32)], [new(1, 1)]]);
    Measure("multi-bit", [new(2, 2), new(4, 4), new(8, 8), Precision.FullPrecision],
        [[new(2, 2), new(4, 4), new(8, 8), Precision.FullPrecision], [new(2, 2), new(4, 4), new(8, 8)], [new(2, 2)]]);
}
finally
{
    Directory.Delete(folder, recursive: true);
}
return 0;

void Measure(string family, Precision[] switches, Precision[][] exports)
{
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.SpNet(new SpNetOptions { Switches = switches, WidthMultiplier = 1, Epochs = 1, BatchSize = 32 }));
    var model = pipeline.Fit(data);
    var fullPath = Path.Combine(folder, "full.zip");
    ml.Model.SaveAtomically(model, data.Schema, fullPath);
    long fullZip = new FileInfo(fullPath).Length, fullEntry = EntryLength(fullPath, "SpNetModel.bin");
    Console.WriteLine();
    Console.WriteLine($"{family} family {string.Join(",", switches)}: full model .zip {fullZip} bytes (SpNetModel.bin {fullEntry} bytes)");
    Console.WriteLine("| exported switches | .zip bytes | ratio to full .zip | SpNetCompact.bin bytes | weights: 1-bit / k-bit / float32 | folded norms | other |");
    Console.WriteLine("|---|---:|---:|---:|---|---:|---:|");
    foreach (var export in exports)
    {
        var path = Path.Combine(folder, "compact.zip");
        ml.Model.SaveForInference(model, data.Schema, path, export);
        long zip = new FileInfo(path).Length, entry = EntryLength(path, "SpNetCompact.bin");
        var parts = CompactParts.Of(SpNetCatalog.FindSpNet(ml.Model.Load(path, out _))!.Exported!);
        Console.WriteLine($"| {string.Join(",", export)} | {zip} | 1/{(double)fullZip / zip:F1} | {entry} | {parts.OneBit} / {parts.KBit} / {parts.Float} | {parts.Folds} | {entry - parts.OneBit - parts.KBit - parts.Float - parts.Folds} |");
    }
    (model as IDisposable)?.Dispose();
}

static long EntryLength(string path, string suffix)
{
    using var zip = ZipFile.OpenRead(path);
    return zip.Entries.Single(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal)).Length;
}

internal sealed class Row
{
    [VectorType(1, 28, 28)]
    public float[] Features { get; set; } = [];

    public string Label { get; set; } = "";
}

/// <summary>The bytes of a compact entry's distinct weight tensors (by kind) and of its folds, as the format stores them.</summary>
internal sealed record CompactParts(long OneBit, long KBit, long Float, long Folds)
{
    public static CompactParts Of(ExportedPlans plans)
    {
        var tensors = plans.Descriptions.SelectMany(d => d.Layers).Select(l => l.Weights).OfType<Microsoft.ML.SwitchablePrecision.Inference.Quantizers.WeightLevels>()
            .Select(Microsoft.ML.SwitchablePrecision.Persistence.StoredWeights.Encode)
            .DistinctBy(Convert.ToBase64String).ToList();
        long Sum(Func<int, bool> bits) => tensors.Where(t => bits(BitConverter.ToInt32(t, 0))).Sum(t => (long)t.Length + sizeof(int));
        long folds = plans.Descriptions.SelectMany(d => d.Layers).Sum(l => l.Fold is null ? 0 : sizeof(int) + 2L * sizeof(float) * l.Fold.Bias.Length);
        return new CompactParts(Sum(b => b == 1), Sum(b => b is > 1 and <= 8), Sum(b => b == 32), folds);
    }
}
