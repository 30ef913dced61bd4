using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;

/// <summary>
/// Peak single-thread rate of every GEMM kernel and variant on the 3x3 convolution shapes of ResNet-20 (M output
/// channels, K = 9 x input channels, P = output pixels x batch), in GMAC/s: multiply-accumulates of the layer at its
/// precision per second, so time per image = MACs per image / rate. Variants of one shape run interleaved in rotating
/// order; every figure is a median. Ratios are against the scalar Reference of the same kernel in the same run.
/// </summary>
internal static class MicroBenchmark
{
    private static readonly (string Name, int Rows, int Depth, int Pixels)[] Shapes =
        [("16->16 28x28", 16, 144, 784), ("32->32 14x14", 32, 288, 196), ("64->64 7x7", 64, 576, 49)];

    private static readonly int[] Batches = [1, 8];

    private static readonly KernelVariant[] Columns =
        [KernelVariant.Reference, KernelVariant.Scalar, KernelVariant.Avx2, KernelVariant.Avx512, KernelVariant.AvxVnni];

    public static void Run(Settings settings)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GEMM kernels, 1 thread, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSArchitecture}, .NET {Environment.Version}, CPU: {CpuDescription.Current}"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median of {settings.Reps} repetitions after {settings.Warmup} warm-up; a repetition repeats the call until it lasts >= {settings.MinRepMs} ms"));
        Console.WriteLine(ThreadClock.IsThreadTime
            ? "times are the benchmark thread's CPU time (CLOCK_THREAD_CPUTIME_ID): time spent descheduled by other load is not counted"
            : "times are wall-clock (thread CPU time unavailable)");
        Console.WriteLine("GMAC/s per variant (column-major output), Auto with row-major output, best variant / Reference");
        Console.WriteLine();
        Console.WriteLine("| precision | kernel | M | K | P | Reference | Scalar | Avx2 | Avx512 | AvxVnni | Auto, row-major | best / Reference |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var peaks = new List<(string Precision, string Kernel, KernelVariant Variant, double Rate, string Shape)>();
        var random = new Random(0);
        foreach (string precision in GemmCase.Precisions)
        {
            (string Kernel, KernelVariant Variant, double Rate, string Shape) peak = ("", KernelVariant.Reference, 0, "");
            foreach (var shape in Shapes)
                foreach (int batch in Batches)
                {
                    int columns = shape.Pixels * batch;
                    var gemm = GemmCase.Create(precision, shape.Rows, shape.Depth, columns, random);
                    var timed = gemm.Variants.Select(v => new TimedCall(v.ToString(), gemm.Call(v, false))).ToList();
                    timed.Add(new TimedCall("Auto, row-major", gemm.Call(KernelVariant.Auto, true)));
                    Measure(timed, settings);
                    double macs = (double)shape.Rows * shape.Depth * columns;
                    var rates = timed.ToDictionary(t => t.Name, t => macs / (t.Median() * 1e6));
                    var best = gemm.Variants.Skip(1).DefaultIfEmpty(KernelVariant.Reference).MaxBy(v => rates[v.ToString()]);
                    double bestRate = rates[best.ToString()];
                    if (bestRate > peak.Rate) peak = (gemm.Kernel, best, bestRate, $"{shape.Name} x{batch}");
                    string cells = string.Join(" | ", Columns.Select(v => rates.TryGetValue(v.ToString(), out double r) ? Format(r) : "-"));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {precision} | {gemm.Kernel} | {shape.Rows} | {shape.Depth} | {columns} | {cells} | {Format(rates["Auto, row-major"])} | {bestRate / rates[nameof(KernelVariant.Reference)]:F1}x |"));
                }
            peaks.Add((precision, peak.Kernel, peak.Variant, peak.Rate, peak.Shape));
        }
        Console.WriteLine();
        Console.WriteLine("Peak rate per precision (best variant, best shape): the divisor for 'operation count / peak rate'");
        Console.WriteLine();
        Console.WriteLine("| precision | kernel | variant | peak GMAC/s | at shape (M=16/32/64 layer x batch) |");
        Console.WriteLine("|---|---|---|---:|---|");
        foreach (var (precision, kernel, variant, rate, shape) in peaks)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {precision} | {kernel} | {variant} | {Format(rate)} | {shape} |"));
        Console.WriteLine();
        FullPrecisionLayers(settings, random);
        Console.WriteLine();
        PackingBenchmark.Run(settings);
    }

    // The layers every switch keeps in float32: stem 3x3 (K = 9), the two 1x1 stride-2 shortcuts, the classifier.
    private static readonly (string Name, int Rows, int Depth, int Columns)[] FloatLayers =
        [("stem 1->16 3x3, 28x28", 16, 9, 784), ("shortcut 16->32 1x1, 14x14", 32, 16, 196),
         ("shortcut 32->64 1x1, 7x7", 64, 32, 49), ("classifier 64->10, batch 1", 10, 64, 1), ("classifier 64->10, batch 64", 10, 64, 64)];

    private static void FullPrecisionLayers(Settings settings, Random random)
    {
        Console.WriteLine("FloatGemm on the full-precision layers of ResNet-20 (batch 1 unless stated), microseconds per call and GMAC/s");
        Console.WriteLine();
        Console.WriteLine("| layer | M | K | P | Reference us | Avx2 us | Avx512 us | best GMAC/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var layer in FloatLayers)
        {
            var gemm = GemmCase.Create("W32A32", layer.Rows, layer.Depth, layer.Columns, random);
            var timed = gemm.Variants.Select(v => new TimedCall(v.ToString(), gemm.Call(v, true))).ToList();
            Measure(timed, settings);
            var us = timed.ToDictionary(t => t.Name, t => t.Median() * 1e3);
            double best = us.Values.Min();
            string Cell(KernelVariant v) => us.TryGetValue(v.ToString(), out double t) ? t.ToString("F2", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {layer.Name} | {layer.Rows} | {layer.Depth} | {layer.Columns} | {Cell(KernelVariant.Reference)} | {Cell(KernelVariant.Avx2)} | {Cell(KernelVariant.Avx512)} | {Format((double)layer.Rows * layer.Depth * layer.Columns / (best * 1e3))} |"));
        }
    }

    /// <summary>Calibrates each call, then measures them interleaved in rotating order.</summary>
    internal static void Measure(IReadOnlyList<TimedCall> variants, Settings settings)
    {
        foreach (var variant in variants) variant.Calibrate(settings.MinRepMs, settings.Warmup);
        for (int rep = 0; rep < settings.Reps; rep++)
            for (int v = 0; v < variants.Count; v++)
                variants[(v + rep) % variants.Count].Measure();
    }

    private static string Format(double rate) => rate.ToString(rate >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);
}
