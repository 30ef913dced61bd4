using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.EngineBenchmark;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.InferenceBenchmark;
using Microsoft.ML.SwitchablePrecision.Kernels;
using TorchSharp;
using static TorchSharp.torch;

// Inference benchmark: a whole network (random weights) compiled into an inference plan at every switch of both
// families, against the TorchSharp float32 network of the same architecture in eval mode under no_grad, in one
// process. ResNet-20 (the default) runs on 1x28x28 against a plain TorchSharp ResNet-20; ResNet-18 and MobileNetV2 run
// on 3x32x32 against the library's own network built with the single switch W32A32 (no quantizer runs at 32 bits).
// Rounds interleave every contender (order rotated per round); each figure is the median over rounds of the time
// per batch. Then single-image throughput with 1 and 2 concurrent callers (each call on one thread), on the plan
// alone and through ML.NET PredictionEngines on one loaded model (EngineThroughput). Between the two, how close each
// switch is to this machine's limit (KernelLimit).
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine($"Usage: {Settings.Usage}");
    return 0;
}
Settings settings;
try
{
    settings = Settings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var invariant = CultureInfo.InvariantCulture;
Console.WriteLine($"InferenceBenchmark {string.Join(' ', args)}");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {CpuDescription.Current}, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
Console.WriteLine("the machine is shared with other jobs: compare ratios within this run, not absolute times across runs");

Precision[][] families = [[new(1, 1), new(1, 2), new(1, 4), new(1, 32)], [new(2, 2), new(4, 4), new(8, 8), Precision.FullPrecision]];
// --switches times only those switches (each still compiled from its whole family's network, so the weights are the same).
var unknown = settings.Switches?.Where(p => !families.Any(f => f.Contains(p))).ToList() ?? [];
if (unknown.Count > 0)
    throw new ArgumentException($"--switches: {string.Join(", ", unknown)} in neither family ({string.Join(", ", families.SelectMany(f => f))}).");
bool Timed(Precision precision) => settings.Switches is null || settings.Switches.Contains(precision);
bool resNet20 = settings.Architecture == ArchitectureKind.ResNet20;
var shape = resNet20 ? (Channels: 1, Size: 28) : (Channels: 3, Size: 32);
NetworkOptions OptionsOf(Precision[] switches) => new()
{
    Architecture = settings.Architecture, WidthMultiplier = settings.Width, InputChannels = shape.Channels, Height = shape.Size,
    Width = shape.Size, Switches = switches, Quantizer = settings.Quantizer,
};
Console.WriteLine($"network: {settings.Architecture} width {settings.Width.ToString(invariant)}, {shape.Channels}x{shape.Size}x{shape.Size}, {settings.Quantizer}, random weights, " +
    (settings.BitSerialPlanes is int limit ? $"bit-serial kernel up to {limit} plane pairs" : "default kernel selection"));
var plans = new List<InferencePlan>();
foreach (var family in families)
{
    using var network = NetworkFactory.Create(OptionsOf(family), seed: 1);
    network.eval();
    // --bit-serial-planes lets the bit-serial kernel serve layers up to that many plane pairs (default: the library's selection).
    plans.AddRange(family.Where(Timed).Select(p => settings.BitSerialPlanes is int planes
        ? InferencePlanCompiler.Compile(network, p, planes) : InferencePlanCompiler.Compile(network, p)));
}
manual_seed(2);
using nn.Module<Tensor, Tensor> plain = resNet20 && settings.Width == 1.0
    ? new PlainResNet20(1, 10)
    : NetworkFactory.Create(OptionsOf([Precision.FullPrecision]), seed: 2);
plain.eval();
int inputLength = plans[0].InputLength;

if (settings.Profile)
{
    // Where a plan's time goes: each step alone, on a workspace of the first batch size.
    foreach (var plan in plans)
    {
        int n = settings.Batches[0];
        var workspace = new Microsoft.ML.SwitchablePrecision.Inference.Execution.Workspace(plan.Layout, n);
        Console.WriteLine($"profile {plan.Precision}, batch {n}, 1 thread (ms per call):");
        foreach (var step in plan.Steps)
        {
            string arithmetic = "";
            if (step is Microsoft.ML.SwitchablePrecision.Inference.Steps.ConvolutionStep convolution)
            {
                var accumulators = new float[convolution.AccumulatorsPerImage * n];
                arithmetic = string.Create(invariant, $" (im2col + GEMM {Time(() => convolution.Arithmetic.Accumulate(workspace, convolution.Input, n, accumulators)),8:F4})");
            }
            Console.WriteLine(string.Create(invariant, $"  {Time(() => step.Run(workspace, n)),8:F4}{arithmetic}  {step}"));
        }
    }
}

Console.WriteLine();
Console.WriteLine($"ms per batch (median of {settings.Rounds} rounds), ratio = TorchSharp float32 / plan (higher is faster)");
Console.WriteLine($"{"threads",7} {"batch",5} {"torch fp32",10} " + string.Join(" ", plans.Select(p => $"{p.Precision,16}")));
foreach (int threads in settings.Threads)
{
    torch.set_num_threads(threads);
    foreach (int batch in settings.Batches)
    {
        var pixels = new float[batch * inputLength];
        var random = new Random(batch);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = random.NextSingle() * 255;
        using var images = tensor(pixels, [batch, shape.Channels, shape.Size, shape.Size]);
        var logits = new float[batch * 10];
        var contenders = new List<Func<double>> { () => Time(() => { using var _ = no_grad(); using var scope = NewDisposeScope(); plain.forward(images); }) };
        contenders.AddRange(plans.Select(plan => (Func<double>)(() => Time(() => plan.Predict(pixels, batch, logits, threads)))));
        var times = Interleaved(contenders);
        double torchMs = Median(times[0]);
        var cells = plans.Select((_, i) => { double ms = Median(times[i + 1]); return $"{ms,7:F3} ({torchMs / ms,5:F2}x)"; });
        Console.WriteLine(string.Create(invariant, $"{threads,7} {batch,5} {torchMs,10:F3} ") + string.Join(" ", cells));
    }
}

// Per switch, the MACs per image over the peak rate of each layer's kernel (measured here), against the plan's time.
torch.set_num_threads(1);
KernelLimit.Print(plans, settings.Batches.Contains(8) ? 8 : settings.Batches[0], Time);

Console.WriteLine();
Console.WriteLine("single-image throughput, each call Predict(batch 1, threads 1); images/s with 1 and 2 concurrent callers");
foreach (var plan in plans)
{
    double one = Throughput(plan, 1), two = Throughput(plan, 2);
    Console.WriteLine(string.Create(invariant, $"{plan.Precision,7}: 1 caller {one,8:F0}/s, 2 callers {two,8:F0}/s ({two / one:F2}x)"));
}

Console.WriteLine();
Console.WriteLine("single-image PredictionEngine.Predict throughput on one model (each caller its own engine); images/s with 1 and 2 concurrent callers");
torch.set_num_threads(1);
foreach (var family in families)
{
    using var network = NetworkFactory.Create(OptionsOf(family), seed: 1);
    var transformer = EngineThroughput.Transformer(network);
    foreach (var precision in family.Where(Timed))
    {
        transformer.Precision = precision;
        int rounds = Math.Max(3, settings.Rounds / 2);
        double one = EngineThroughput.Measure(transformer, 1, 10 * settings.MinimumMilliseconds, rounds);
        double two = EngineThroughput.Measure(transformer, 2, 10 * settings.MinimumMilliseconds, rounds);
        Console.WriteLine(string.Create(invariant, $"{precision,7}: 1 caller {one,8:F0}/s, 2 callers {two,8:F0}/s ({two / one:F2}x)"));
    }
}
return 0;

// The time of one call in ms, repeated until at least MinimumMilliseconds have passed.
double Time(Action action) => settings.CpuTime ? CpuTime(action) : WallTime(action);

// Processor time of this process per call: on a loaded machine the wall clock also counts time the thread waited.
double CpuTime(Action action)
{
    action();
    var process = Process.GetCurrentProcess();
    int repetitions = 0;
    var start = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    do
    {
        action();
        repetitions++;
    }
    while (clock.Elapsed.TotalMilliseconds < settings.MinimumMilliseconds);
    process.Refresh();
    return (process.TotalProcessorTime - start).TotalMilliseconds / repetitions;
}

double WallTime(Action action)
{
    action();
    int repetitions = 0;
    var clock = Stopwatch.StartNew();
    do
    {
        action();
        repetitions++;
    }
    while (clock.Elapsed.TotalMilliseconds < settings.MinimumMilliseconds);
    return clock.Elapsed.TotalMilliseconds / repetitions;
}

List<double>[] Interleaved(List<Func<double>> contenders)
{
    var times = contenders.Select(_ => new List<double>()).ToArray();
    for (int round = -settings.Warmup; round < settings.Rounds; round++)
        for (int j = 0; j < contenders.Count; j++)
        {
            int index = (j + Math.Max(round, 0)) % contenders.Count;
            double ms = contenders[index]();
            if (round >= 0) times[index].Add(ms);
        }
    return times;
}

double Throughput(InferencePlan plan, int callers)
{
    var image = new float[plan.InputLength];
    for (int i = 0; i < image.Length; i++) image[i] = (i * 37 % 256);
    var rates = new List<double>();
    for (int round = 0; round < Math.Max(3, settings.Rounds / 2); round++)
    {
        long done = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, callers).Select(_ => new Thread(() =>
        {
            var logits = new float[10];
            long count = 0;
            while (clock.Elapsed.TotalMilliseconds < 10 * settings.MinimumMilliseconds)
            {
                plan.Predict(image, 1, logits, threads: 1);
                count++;
            }
            Interlocked.Add(ref done, count);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        rates.Add(done / clock.Elapsed.TotalSeconds);
    }
    return Median(rates);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    int mid = sorted.Length / 2;
    return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
