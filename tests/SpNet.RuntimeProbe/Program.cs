// Usage: SpNet.RuntimeProbe <model.zip> <fashion-mnist-folder> <output-folder>
//   Loads the model with mlContext.Model.Load in a process that has only the prediction runtime, and writes into the
//   output folder:
//   - loaded.txt: the active switch after loading, then the switches, one per line;
//   - scores.txt: per switch and image of the first 8 test images, "<precision>\t<single|batch>\t<i>\t<score bits>",
//     single = PredictionEngine.Predict, batch = Transform over the 8 images; bits as hexadecimal int32 (exact);
//   - report.txt: GetPrecisionReport().ToTable();
//   - resaved.zip (Model.Save) and compact.zip (Model.SaveForInference of every switch);
//   - errors.txt: the message of setting UsePackedKernels = true, then UsePackedKernels afterwards;
//   - process.txt: "native: " and the libtorch / TorchSharp libraries mapped (none: "-"), then "training: " and
//     whether an assembly named Microsoft.ML.SwitchablePrecision.Training* was loaded (yes/no).
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Data;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: SpNet.RuntimeProbe <model.zip> <fashion-mnist-folder> <output-folder>");
    return 2;
}
var (modelPath, dataFolder, output) = (args[0], args[1], args[2]);
Directory.CreateDirectory(output);

var context = new MLContext(seed: 1);
var model = context.Model.Load(modelPath, out var schema);
var spNet = SpNetCatalog.FindSpNet(model) ?? throw new InvalidOperationException($"{modelPath} holds no SP-Net.");
File.WriteAllLines(Path.Combine(output, "loaded.txt"), [spNet.Precision.ToString(), .. spNet.Switches.Select(s => s.ToString())]);

var test = FashionMnist.Load(dataFolder, train: false);
var rows = Enumerable.Range(0, 8)
    .Select(i => new ProbeRow { Label = (uint)test.Labels[i], Features = test.Pixels.AsSpan(i * test.ImageSize, test.ImageSize).ToArray() })
    .ToArray();
var images = context.Data.LoadFromEnumerable(rows);
var lines = new List<string>();
var active = spNet.Precision;
foreach (var precision in spNet.Switches)
{
    spNet.Precision = precision;
    using (var engine = context.Model.CreatePredictionEngine<ProbeRow, ProbeScore>(model, new PredictionEngineOptions { OwnsTransformer = false }))
        for (int i = 0; i < rows.Length; i++)
            lines.Add($"{precision}\tsingle\t{i}\t{Bits(engine.Predict(rows[i]).Score)}");
    int n = 0;
    foreach (var scored in context.Data.CreateEnumerable<ProbeScore>(model.Transform(images), reuseRowObject: false))
        lines.Add($"{precision}\tbatch\t{n++}\t{Bits(scored.Score)}");
}
spNet.Precision = active;
File.WriteAllLines(Path.Combine(output, "scores.txt"), lines);
File.WriteAllText(Path.Combine(output, "report.txt"), spNet.GetPrecisionReport().ToTable());
context.Model.Save(model, schema, Path.Combine(output, "resaved.zip"));
context.Model.SaveForInference(model, schema, Path.Combine(output, "compact.zip"), spNet.Switches);

string refusal;
try
{
    spNet.UsePackedKernels = true;
    refusal = "(no error)";
}
catch (InvalidOperationException e)
{
    refusal = e.Message;
}
File.WriteAllLines(Path.Combine(output, "errors.txt"), [refusal, spNet.UsePackedKernels.ToString(CultureInfo.InvariantCulture)]);

var native = File.ReadLines("/proc/self/maps").Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()))
    .Where(n => n.StartsWith("libtorch", StringComparison.Ordinal) || n.StartsWith("libLibTorchSharp", StringComparison.Ordinal)).Distinct().ToList();
bool training = AppDomain.CurrentDomain.GetAssemblies()
    .Any(a => a.GetName().Name?.StartsWith("Microsoft.ML.SwitchablePrecision.Training", StringComparison.Ordinal) == true);
File.WriteAllLines(Path.Combine(output, "process.txt"),
    ["native: " + (native.Count == 0 ? "-" : string.Join(",", native)), "training: " + (training ? "yes" : "no")]);
return 0;

static string Bits(float[] values) => string.Join(" ", values.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)));

internal sealed class ProbeRow
{
    public uint Label { get; set; }

    [VectorType(784)]
    public float[] Features { get; set; } = [];
}

internal sealed class ProbeScore
{
    public float[] Score { get; set; } = [];
}
