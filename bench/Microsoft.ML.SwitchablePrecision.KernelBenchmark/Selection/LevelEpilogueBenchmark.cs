using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The output stage of a layer whose consumer takes levels, per image of the ResNet-20 stages: the two passes the
/// plans ran before (<see cref="ChannelEpilogue"/> into floats, then the level write) against the fused
/// <see cref="LevelEpilogue"/> (one 512-bit pass), with and without a raw-float consumer beside, interleaved, thread
/// CPU time, medians; the levels are checked equal.
/// </summary>
internal static class LevelEpilogueBenchmark
{
    public static void Run(Settings settings)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"output stage of one image: epilogue floats + level write (two passes) against the fused level epilogue, median of {settings.Reps} after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine();
        Console.WriteLine("| channels x pixels | quantizer | residual | consumers | two passes us | fused us | two passes / fused |");
        Console.WriteLine("|---|---|---|---|---:|---:|---:|");
        var random = new Random(3);
        // A first pass unprinted: every generic instantiation is compiled to its final tier before anything is timed.
        var console = Console.Out;
        for (int pass = 0; pass < 2; pass++)
        {
            Console.SetOut(pass == 0 ? TextWriter.Null : console);
            foreach (var (channels, pixels) in new[] { (16, 784), (32, 196), (64, 49) })
                foreach (var quantizer in new[] { DoReFaFamily.Levels(1), DoReFaFamily.Levels(2), PactFamily.Create(2, 1.5f), LsqFamily.Create(1, 0.5f) })
                    foreach (bool withResidual in new[] { false, true })
                        foreach (bool raw in new[] { false, true })
                            Measure(settings, random, channels, pixels, quantizer, withResidual, raw);
        }
    }

    private static void Measure(Settings settings, Random random, int channels, int pixels, LevelQuantizer quantizer, bool withResidual, bool raw)
    {
        int length = channels * pixels;
        float[] Values(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        var x = Values(length, 40f);
        var residual = withResidual ? Values(length, 1f) : [];
        var multiplier = Values(channels, 0.05f);
        var bias = Values(channels, 1f);
        var y = new float[length];
        var twoPass = new byte[length];
        var fused = new byte[length];
        var fusedFloats = new float[length];
        var calls = new[]
        {
            new TimedCall("two passes", () =>
            {
                ChannelEpilogue.Apply(x, residual, y, pixels, multiplier, bias, true, float.PositiveInfinity);
                quantizer.Levels(y, twoPass);
            }),
            new TimedCall("fused", () =>
                quantizer.EpilogueLevels(x, residual, fused, raw ? fusedFloats : default, pixels, multiplier, bias, true, float.PositiveInfinity)),
        };
        MicroBenchmark.Measure(calls, settings);
        if (!twoPass.AsSpan().SequenceEqual(fused) || (raw && !y.AsSpan().SequenceEqual(fusedFloats)))
            throw new InvalidOperationException($"{channels} x {pixels} {quantizer.Kind} {quantizer.Bits}-bit: the two paths disagree.");
        double before = calls[0].Median() * 1e3, after = calls[1].Median() * 1e3;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {channels} x {pixels} | {quantizer.Kind} {quantizer.Bits}-bit | {(withResidual ? "yes" : "no")} | {(raw ? "levels + raw" : "levels")} | {before:F2} | {after:F2} | {before / after:F2}x |"));
    }
}
