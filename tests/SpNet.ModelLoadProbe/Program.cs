// Usage: SpNet.ModelLoadProbe <model.zip> <images.tsv> <scores-output.txt>
//   Writes one line per switch and image: "<precision>\t<scores separated by spaces>" (round-trip formatting).
// Usage: SpNet.ModelLoadProbe save-loop <model.zip> <target.zip> <plain|atomic>
//   Loads the model, then saves it over the target again and again until killed; prints "saved" after the first save.
// Usage: SpNet.ModelLoadProbe native-check <model.zip>
//   Loads a model over 1x28x28 "Features", predicts one image of 0.5 at every switch, and prints each score line,
//   then "native: " and the file names of the libtorch and TorchSharp libraries the process has mapped (none: "-").
// Usage: SpNet.ModelLoadProbe stored-plans <model.zip>
//   Reads the full model's stored weights without TorchSharp, builds the plan of every stored switch, prints each
//   switch's logits of one image of 0.5, then the "native: " line as native-check does.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;

if (args is ["save-loop", var source, var target, var mode])
{
    var context = new MLContext();
    var loaded = context.Model.Load(source, out var schema);
    for (long n = 0; ; n++)
    {
        if (mode == "atomic") context.Model.SaveAtomically(loaded, schema, target);
        else context.Model.Save(loaded, schema, target);
        if (n == 0) Console.WriteLine("saved");
    }
}

if (args is ["native-check", var modelPath])
{
    var context = new MLContext();
    var loaded = context.Model.Load(modelPath, out _);
    var probed = SpNetCatalog.FindSpNet(loaded) ?? throw new InvalidOperationException("no SP-Net in the model");
    var engine = context.Model.CreatePredictionEngine<ProbeImage, ProbeScore>(loaded);
    foreach (var precision in probed.Switches)
    {
        probed.Precision = precision;
        Console.WriteLine(precision + "\t" + string.Join(" ", engine.Predict(new ProbeImage()).Score.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
    PrintNativeLibraries();
    return 0;
}

if (args is ["stored-plans", var storedPath])
{
    Microsoft.ML.SwitchablePrecision.Inference.Stored.StoredModel stored;
    using (var archive = System.IO.Compression.ZipFile.OpenRead(storedPath))
    using (var entry = archive.Entries.Single(e => e.Name == "SpNetModel.bin").Open())
        stored = Microsoft.ML.SwitchablePrecision.Inference.Stored.StoredModel.Read(entry);
    foreach (var precision in stored.Options.Switches)
    {
        var plan = stored.Compile(precision);
        var logits = new float[plan.Classes];
        plan.Predict(Enumerable.Repeat(0.5f, plan.InputLength).ToArray(), 1, logits, threads: 1);
        Console.WriteLine(precision + "\t" + string.Join(" ", logits.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
    PrintNativeLibraries();
    return 0;
}

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: SpNet.ModelLoadProbe <model.zip> <images.tsv> <scores-output.txt> | save-loop <model.zip> <target.zip> <plain|atomic>");
    return 2;
}

var ml = new MLContext();
var model = ml.Model.Load(args[0], out _);
var data = ml.Data.LoadFromTextFile(args[1],
    [new TextLoader.Column("ImagePath", DataKind.String, 0), new TextLoader.Column("Label", DataKind.String, 1)]);
var spNet = SpNetCatalog.FindSpNet(model) ?? throw new InvalidOperationException("no SP-Net in the model");
var lines = new List<string>();
foreach (var precision in spNet.Switches)
{
    spNet.Precision = precision;
    foreach (var score in model.Transform(data).GetColumn<float[]>("Score"))
        lines.Add(precision + "\t" + string.Join(" ", score.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
}
File.WriteAllLines(args[2], lines);
return 0;

static void PrintNativeLibraries()
{
    var native = File.ReadLines("/proc/self/maps").Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()))
        .Where(n => n.StartsWith("libtorch", StringComparison.Ordinal) || n.StartsWith("libLibTorchSharp", StringComparison.Ordinal)).Distinct().ToList();
    Console.WriteLine("native: " + (native.Count == 0 ? "-" : string.Join(",", native)));
}

internal sealed class ProbeImage
{
    [VectorType(1, 28, 28)]
    public float[] Features { get; set; } = Enumerable.Repeat(0.5f, 784).ToArray();

    public string Label { get; set; } = "class0";
}

internal sealed class ProbeScore
{
    public float[] Score { get; set; } = [];
}
