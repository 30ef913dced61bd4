using System.Globalization;
using SpNet.Serve.LoadTest;

namespace SpNet.Serve;

/// <summary>The command line: <c>SpNet.Serve &lt;model.zip&gt; [options]</c>, parsed with clear errors.</summary>
internal sealed record ServeArguments(string ModelPath, int Port, TimeSpan? Target, bool LoadTest, string? ImageFolder,
    string Output, TimeSpan Duration, int PeakClients, double CalibrationSeconds)
{
    /// <summary>The help text.</summary>
    public const string Usage =
        "Usage: SpNet.Serve <model.zip> [--port 5080] [--target-ms 10]\n" +
        "       SpNet.Serve <model.zip> --load-test [--target-ms <ms>] [--seconds 60] [--peak-clients 8] [--calibration-seconds 5]\n" +
        "                   [--images <folder>] [--output load-test]\n" +
        "Serves POST /predict (an image file as the body or as a form file) and GET /status on 127.0.0.1,\n" +
        "with PrecisionGovernor.ForLatency(target, 0.95) choosing the switch (target of the network's time per image,\n" +
        "default 10 ms). --load-test instead runs a loopback client: first each switch fixed at the peak number of clients\n" +
        "(the calibration), then ramps 1 -> peak -> 1 concurrent requests once with the governor and once at the most\n" +
        "precise switch, and writes load-test.png and load-test.md to --output. Without --target-ms the target is the\n" +
        "geometric mean of the cheapest and the most precise switch's calibrated p95. --images: class sub-folders of PNG\n" +
        "files (default: the test images SpNet.Train cached beside model.zip).";

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad argument.</summary>
    public static ServeArguments Parse(string[] args)
    {
        string? model = null, images = null, output = "load-test";
        int port = 5080, peak = 8;
        double? targetMs = null;
        double seconds = 60, calibration = 5;
        bool loadTest = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--port": port = Number(args[i], Next(), 0, 65535); break;
                case "--target-ms": targetMs = Positive(args[i], Next()); break;
                case "--seconds": seconds = Positive(args[i], Next()); break;
                case "--calibration-seconds": calibration = Positive(args[i], Next()); break;
                case "--peak-clients": peak = Number(args[i], Next(), 1, 256); break;
                case "--images": images = Next(); break;
                case "--output": output = Next(); break;
                case "--load-test": loadTest = true; break;
                default:
                    if (args[i].StartsWith('-') || model is not null) throw new ArgumentException($"Unknown argument '{args[i]}'.");
                    model = args[i];
                    break;
            }
        }
        if (model is null) throw new ArgumentException("Give the model.zip to serve.");
        return new ServeArguments(Path.GetFullPath(model), port, targetMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, loadTest,
            images is null ? null : Path.GetFullPath(images), Path.GetFullPath(output), TimeSpan.FromSeconds(seconds), peak, calibration);
    }

    /// <summary>The load test these arguments describe.</summary>
    public LoadTestSettings ToLoadTest() =>
        new(ModelPath, ImageFolder ?? CachedTestImages(ModelPath), Output, Target, Duration, PeakClients, CalibrationSeconds);

    /// <summary>The serving target: <c>--target-ms</c>, default 10 ms.</summary>
    public TimeSpan ServingTarget => Target ?? TimeSpan.FromMilliseconds(10);

    // SpNet.Train caches its test images as PNG class folders in <output>/image-cache/<data set>/test.
    private static string CachedTestImages(string modelPath)
    {
        string cache = Path.Combine(Path.GetDirectoryName(modelPath)!, "image-cache");
        return Directory.Exists(cache) ? Directory.EnumerateDirectories(cache, "test", SearchOption.AllDirectories).FirstOrDefault() ?? cache
            : throw new ArgumentException($"No --images given and no image cache at '{cache}': pass --images <folder of class sub-folders>.");
    }

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max ? n
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{value}'.");

    private static double Positive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && double.IsFinite(x) ? x
            : throw new ArgumentException($"{name} must be a positive number, not '{value}'.");
}
