using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using SpNet.Predict;

// Usage: SpNet.Predict [--model <model.zip>] [--tsv] <image> [<image>...]
const int TimedCalls = 5;
var images = new List<string>();
bool tsv = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "--model" && i + 1 < args.Length) SpNetModel.ModelPath = Path.GetFullPath(args[++i]);
    else if (args[i] is "--tsv") tsv = true;
    else if (args[i] is "-h" or "--help" or "-?")
    {
        PrintUsage();
        return 0;
    }
    else images.Add(args[i]);
}
if (images.Count == 0)
{
    PrintUsage();
    return 2;
}
var missing = images.FirstOrDefault(path => !File.Exists(path));
if (missing is not null)
{
    Console.Error.WriteLine($"error: image '{missing}' does not exist.");
    return 2;
}

try
{
    if (tsv)
    {
        // For scripts (the consumer check compares these with the training side's predictions): image, switch, class, confidence.
        foreach (string image in images)
            foreach (var precision in SpNetModel.Switches)
            {
                SpNetModel.Precision = precision;
                var output = SpNetModel.Predict(new ModelInput { ImagePath = Path.GetFullPath(image) });
                Console.WriteLine(string.Join('\t', image, precision, output.PredictedLabel, output.Score.Max().ToString("R", CultureInfo.InvariantCulture)));
            }
        return 0;
    }
    AnsiConsole.MarkupLineInterpolated($"Model: {SpNetModel.ModelPath}, switches {string.Join(", ", SpNetModel.Switches)}");
    foreach (string image in images)
    {
        var input = new ModelInput { ImagePath = Path.GetFullPath(image) };
        var table = new Table().Title(Markup.Escape(image)).AddColumn("Switch").AddColumn("Class")
            .AddColumn(new TableColumn("Confidence").RightAligned()).AddColumn(new TableColumn("Latency (median of 5)").RightAligned());
        foreach (var precision in SpNetModel.Switches)
        {
            SpNetModel.Precision = precision;           // the same loaded network, switched on the fly
            var output = SpNetModel.Predict(input);     // also the warm-up of this switch
            double ms = MedianMilliseconds(() => SpNetModel.Predict(input), TimedCalls);
            table.AddRow(precision.ToString(), Markup.Escape(output.PredictedLabel),
                (100 * output.Score.Max()).ToString("0.0", CultureInfo.InvariantCulture) + "%",
                ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms");
        }
        AnsiConsole.Write(table);
    }
    return 0;
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static double MedianMilliseconds(Action call, int times)
{
    var samples = new double[times];
    for (int i = 0; i < times; i++)
    {
        var clock = Stopwatch.StartNew();
        call();
        samples[i] = clock.Elapsed.TotalMilliseconds;
    }
    Array.Sort(samples);
    return samples[times / 2];
}

static void PrintUsage() => Console.WriteLine(
    "Usage: SpNet.Predict [--model <model.zip>] [--tsv] <image> [<image>...]\n" +
    "Classifies each image with the model trained by SpNet.Train (default: output/model.zip)\n" +
    "at every precision the model was trained with, switching the same loaded network on the fly.\n" +
    "--tsv prints one line per image and switch (image, switch, class, confidence) instead of the tables.");
