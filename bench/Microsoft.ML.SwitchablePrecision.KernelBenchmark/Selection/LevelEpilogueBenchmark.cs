using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// A levels-only output stage (BN scale and bias, ReLU6, the next layer's levels) on MobileNetV2's expansion and
/// depthwise output shapes at 32x32: the two passes (<see cref="ChannelEpilogue"/> on blocks of about 2048 values, then
/// the level write, as <see cref="OutputStage"/> runs them) against the fused pass <see cref="LevelEpilogue"/> picks
/// here, and its plain scalar reference; interleaved, thread CPU time, medians.
/// </summary>
internal static class LevelEpilogueBenchmark
{
    private static readonly (int Channels, int Pixels)[] Shapes = [(32, 1024), (96, 1024), (144, 1024), (144, 256), (192, 256), (384, 64), (576, 64), (960, 16)];

    public static void Run(Settings settings)
    {
        Console.WriteLine($"levels-only output stage, ReLU6, no residual: two passes against the fused pass (us, thread CPU time, median of {settings.Reps})");
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}; fused variant for 144 channels: {LevelEpilogue.VariantFor(144)}");
        Console.WriteLine();
        Console.WriteLine("| quantizer | channels x pixels | two-pass us | fused us | scalar fused us | two-pass / fused |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        var quantizers = new (string Name, LevelQuantizer Quantizer)[]
        {
            ("DoReFa 1-bit", DoReFaFamily.Levels(1)), ("PACT 2-bit", PactFamily.Create(2, 1.5f)), ("LSQ 2-bit", LsqFamily.Create(2, 0.25f)),
        };
        var random = new Random(5);
        foreach (var (name, quantizer) in quantizers)
            foreach (var (channels, pixels) in Shapes)
            {
                int length = channels * pixels, block = Math.Max(1, 2048 / channels);
                float[] Values(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
                var x = Values(length, 40f);
                var multiplier = Values(channels, 0.05f);
                var bias = Values(channels, 1f);
                var scratch = new float[block * channels];
                var levels = new byte[length];
                var calls = new[]
                {
                    new TimedCall("two-pass", () =>
                    {
                        for (int first = 0; first < pixels; first += block)
                        {
                            int count = Math.Min(block, pixels - first), start = first * channels, n = count * channels;
                            ChannelEpilogue.Apply(x.AsSpan(start, n), default, scratch.AsSpan(0, n), count, multiplier, bias, true, 6f);
                            quantizer.Levels(scratch.AsSpan(0, n), levels.AsSpan(start, n));
                        }
                    }),
                    new TimedCall("fused", () => quantizer.EpilogueLevels(x, default, levels, pixels, multiplier, bias, true, 6f)),
                    new TimedCall("scalar", () => quantizer.EpilogueLevels(x, default, levels, pixels, multiplier, bias, true, 6f, KernelVariant.Reference)),
                };
                MicroBenchmark.Measure(calls, settings);
                double two = calls[0].Median() * 1e3, fused = calls[1].Median() * 1e3, scalar = calls[2].Median() * 1e3;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {channels} x {pixels} | {two:F2} | {fused:F2} | {scalar:F2} | {two / fused:F2}x |"));
            }
    }
}
