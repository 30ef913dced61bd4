using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// Every distinct W1A32 layer shape of ResNet-20 (1x28x28), ResNet-18 and MobileNetV2 (3x32x32, width 1), as the
/// compiled plans run them (one image per call, taps from <see cref="PaddedFloatTaps"/>): the sign-panel GEMM against
/// the sign-accumulate GEMM (what it replaced) and against the float32 GEMM on float weights (32 times the weight
/// memory), all three interleaved in rotating order, thread CPU time, medians, and the range of the per-repetition ratios.
/// </summary>
internal static class SignPanelBenchmark
{
    private static readonly (ArchitectureKind Architecture, int Channels, int Size)[] Networks =
        [(ArchitectureKind.ResNet20, 1, 28), (ArchitectureKind.ResNet18, 3, 32), (ArchitectureKind.MobileNetV2, 3, 32)];

    public static void Run(Settings settings)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"W1A32 layers, one image per call, 1 thread, median of {settings.Reps} repetitions after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}; Auto: sign-panel {KernelSupport.Resolve(KernelVariant.Auto, nameof(SignPanelGemm), SignPanelGemm.Preference)}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine("ratios: other kernel's time / sign-panel time (> 1: sign-panel faster), median [min, max] of the per-repetition ratios");
        Console.WriteLine();
        Console.WriteLine("| network | layer | K | out | P | sign-accumulate us | sign-panel us | float32 us | accumulate / panel | float32 / panel |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var random = new Random(0);
        foreach (var (architecture, channels, size) in Networks)
        {
            var options = new NetworkOptions
            {
                Architecture = architecture, InputChannels = channels, Height = size, Width = size,
                Switches = [new Precision(1, 32)], Quantizer = QuantizerKind.DoReFa,
            };
            using var network = NetworkFactory.Create(options, seed: 1);
            network.eval();
            var plan = InferencePlanCompiler.Compile(network, new Precision(1, 32));
            var shapes = plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is SignArithmetic)
                .Select(s => (s.Name, s.Arithmetic.Shape)).DistinctBy(s => s.Shape);
            foreach (var (name, shape) in shapes) Measure(architecture, name, shape, settings, random);
        }
    }

    private static void Measure(ArchitectureKind architecture, string name, ConvolutionShape shape, Settings settings, Random random)
    {
        var values = Enumerable.Range(0, shape.OutChannels * shape.Depth).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var signs = SignWeights.FromSigns(values, shape.OutChannels, shape.Depth);
        var floats = FloatGemmWeights.FromMatrix(values.Select(v => v >= 0 ? 1f : -1f).ToArray(), shape.OutChannels, shape.Depth);
        var image = Enumerable.Range(0, shape.InputPerImage).Select(_ => (float)random.NextDouble()).ToArray();
        var taps = new PaddedFloatTaps(shape);
        var scratch = new float[taps.PaddedLength];
        var panel = new float[SignPanelGemm.PanelLength(shape.Depth)];
        var output = new float[shape.OutputPerImage];
        var layout = OutputLayout.ColumnMajor(shape.OutChannels);
        var range = GemmRange.All(shape.OutChannels, shape.OutPixels);
        var calls = new[]
        {
            new TimedCall("sign-accumulate", () => SignAccumulateGemm.Multiply(signs, taps.Columns(image, scratch), output, layout, range)),
            new TimedCall("sign-panel", () => SignPanelGemm.Multiply(signs, taps.Columns(image, scratch), output, layout, range, panel)),
            new TimedCall("float32", () => FloatGemm.Multiply(floats, taps.Columns(image, scratch), output, layout, range)),
        };
        MicroBenchmark.Measure(calls, settings);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {architecture} | {name} {shape.KernelSize}x{shape.KernelSize} {shape.InChannels}->{shape.OutChannels} {shape.Height}x{shape.Width} s{shape.Stride} | {shape.Depth} | {shape.OutChannels} | {shape.OutPixels} | {calls[0].Median() * 1e3:F1} | {calls[1].Median() * 1e3:F1} | {calls[2].Median() * 1e3:F1} | {Ratio(calls[0], calls[1])} | {Ratio(calls[2], calls[1])} |"));
    }

    // Repetitions of the calls alternate, so repetition i of one call ran beside repetition i of the other.
    private static string Ratio(TimedCall other, TimedCall panel)
    {
        var ratios = other.Samples.Zip(panel.Samples, (a, b) => a / b).Order().ToArray();
        double median = ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[ratios.Length / 2 - 1] + ratios[ratios.Length / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{median:F2}x [{ratios[0]:F2}, {ratios[^1]:F2}]");
    }
}
