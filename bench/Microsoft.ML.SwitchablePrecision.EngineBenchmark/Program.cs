using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.EngineBenchmark;
using TorchSharp;
using static TorchSharp.torch;

// Engine benchmark: one SP-Net training step over four switches versus four plain full-precision steps of the
// same ResNet-20, interleaved so machine drift hits both equally.
// Usage: EngineBenchmark [--quantizer DoReFa|Pact|Lsq] [--steps N] [--warmup N] [--batch N] [--threads N] [--profile] [--cpu-time]
// --cpu-time times the process's processor time instead of the wall clock: on a shared machine the wall clock also
// counts the time the process waited for a core.
var settings = Settings.Parse(args);
torch.set_num_threads(settings.Threads);
manual_seed(0);

Precision[] switches = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];
using var spNet = NetworkFactory.Create(new NetworkOptions { Switches = switches, Quantizer = settings.Quantizer });
using var plain = new PlainResNet20(1, 10);
spNet.train();
plain.train();
using var spOptimizer = optim.SGD(spNet.parameters(), 0.05, momentum: 0.9);
using var plainOptimizer = optim.SGD(plain.parameters(), 0.05, momentum: 0.9);
using var images = rand(settings.Batch, 1, 28, 28);
using var labels = randint(0, 10, [settings.Batch], dtype: ScalarType.Int64);

double SpNetStep()
{
    var clock = StepClock.Start(settings.CpuTime);
    spOptimizer.zero_grad();
    foreach (var precision in switches)
    {
        using var scope = NewDisposeScope();
        spNet.ActivePrecision = precision;
        nn.functional.cross_entropy(spNet.forward(images), labels).backward();
    }
    spOptimizer.step();
    return clock.ElapsedMilliseconds;
}

double PlainSteps()
{
    var clock = StepClock.Start(settings.CpuTime);
    for (int i = 0; i < switches.Length; i++)
    {
        using var scope = NewDisposeScope();
        plainOptimizer.zero_grad();
        nn.functional.cross_entropy(plain.forward(images), labels).backward();
        plainOptimizer.step();
    }
    return clock.ElapsedMilliseconds;
}

for (int i = 0; i < settings.Warmup; i++)
{
    SpNetStep();
    PlainSteps();
}
long residentAfterWarmup = Environment.WorkingSet;
var spTimes = new List<double>();
var plainTimes = new List<double>();
for (int i = 0; i < settings.Steps; i++)
{
    // Alternate which side goes first to cancel ordering effects.
    if (i % 2 == 0)
    {
        spTimes.Add(SpNetStep());
        plainTimes.Add(PlainSteps());
    }
    else
    {
        plainTimes.Add(PlainSteps());
        spTimes.Add(SpNetStep());
    }
}

long residentAfterRun = Environment.WorkingSet;
double sp = Median(spTimes), fp = Median(plainTimes);
if (settings.Profile) ProfileSwitches();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ResNet-20 1x28x28, batch {settings.Batch}, {settings.Threads} threads, quantizer {settings.Quantizer}, {settings.Steps} measured steps after {settings.Warmup} warm-up, {(settings.CpuTime ? "processor time" : "wall clock")}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"SP-Net step over {string.Join("/", switches)}: median {sp:F1} ms (min {spTimes.Min():F1}, max {spTimes.Max():F1})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"4 plain full-precision steps:          median {fp:F1} ms (min {plainTimes.Min():F1}, max {plainTimes.Max():F1})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio SP-Net / plain: {sp / fp:F2}x (target <= 1.2x)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"resident memory: {residentAfterWarmup / 1048576.0:F0} MiB after warm-up, {residentAfterRun / 1048576.0:F0} MiB after the measured steps"));

// Forward + backward of one switch alone, against W32A32 of the same network (no quantizer runs there): the
// difference is what the quantizers and the switch's own BatchNorm cost.
void ProfileSwitches()
{
    Precision[] profiled = [.. switches, Precision.FullPrecision];
    using var reference = NetworkFactory.Create(new NetworkOptions { Switches = profiled, Quantizer = settings.Quantizer });
    reference.train();
    var times = profiled.ToDictionary(p => p, _ => new List<double>());
    for (int i = 0; i < settings.Steps + 1; i++)
        foreach (var precision in profiled)
        {
            using var scope = NewDisposeScope();
            reference.ActivePrecision = precision;
            var clock = StepClock.Start(settings.CpuTime);
            nn.functional.cross_entropy(reference.forward(images), labels).backward();
            if (i > 0) times[precision].Add(clock.ElapsedMilliseconds);
            reference.zero_grad();
        }
    foreach (var (precision, list) in times)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  forward+backward at {precision}: median {Median(list):F1} ms"));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    int mid = sorted.Length / 2;
    return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

internal sealed record Settings(QuantizerKind Quantizer, int Steps, int Warmup, int Batch, int Threads, bool Profile = false, bool CpuTime = false)
{
    public static Settings Parse(string[] args)
    {
        var settings = new Settings(QuantizerKind.DoReFa, 10, 3, 128, 2);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--profile" or "--cpu-time")
            {
                settings = args[i] == "--profile" ? settings with { Profile = true } : settings with { CpuTime = true };
                continue;
            }
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"Option {args[i]} needs a value.");
            settings = args[i] switch
            {
                "--quantizer" => settings with { Quantizer = Enum.Parse<QuantizerKind>(value, ignoreCase: true) },
                "--steps" => settings with { Steps = PositiveInt(args[i], value) },
                "--warmup" => settings with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batch" => settings with { Batch = PositiveInt(args[i], value) },
                "--threads" => settings with { Threads = PositiveInt(args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}: expected --quantizer, --steps, --warmup, --batch, --threads, --profile or --cpu-time."),
            };
            i++;
        }
        return settings;
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"Option {option} expects a positive integer, got '{value}'.");
}
