using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The grouped pair sums of the AVX2 int8 GEMM against the plain pair sums (issue 13): every distinct int8 layer shape
/// of ResNet-20 (1x28x28) and ResNet-18 (3x32x32) at W1A4, W2A2 and W4A4 (DoReFa: weights are odd levels up to
/// 2^b - 1 in magnitude, levels 0 .. 2^b - 1), on 1 and 8 images, interleaved, thread CPU time, medians; beside them
/// VNNI where this CPU has it. The group column is <see cref="Int8Gemm.GroupedQuads"/> for the shape.
/// </summary>
internal static class Int8GroupedBenchmark
{
    private static readonly (ArchitectureKind Architecture, int Channels, int Size)[] Networks =
        [(ArchitectureKind.ResNet20, 1, 28), (ArchitectureKind.ResNet18, 3, 32)];

    private static readonly Precision[] Switches = [new(1, 4), new(2, 2), new(4, 4)];

    public static void Run(Settings settings)
    {
        bool vnni = KernelSupport.IsSupported(KernelVariant.AvxVnni);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"int8 GEMM on AVX2: grouped pair sums against pair sums; 1 thread, median of {settings.Reps} repetitions after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine("M = output channels, K = taps x input channels, P = output pixels x images; GMAC/s; ratio = grouped / pair sums (> 1: grouped faster)");
        Console.WriteLine();
        Console.WriteLine("| network | switch | M | K | P | group | pair sums GMAC/s | grouped GMAC/s | grouped / pairs | VNNI GMAC/s |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        if (!KernelSupport.IsSupported(KernelVariant.Avx2))
        {
            Console.WriteLine("AVX2 not supported here: nothing to measure");
            return;
        }
        var random = new Random(0);
        foreach (var (architecture, channels, size) in Networks)
            foreach (var precision in Switches)
                foreach (var shape in Int8Avx2Benchmark.LayerShapes(architecture, channels, size, precision))
                    foreach (int images in new[] { 1, 8 })
                        Measure(architecture, precision, shape, images, vnni, settings, random);
    }

    private static void Measure(ArchitectureKind architecture, Precision precision, (int Rows, int Depth, int Pixels) shape, int images,
        bool vnni, Settings settings, Random random)
    {
        int rows = shape.Rows, depth = shape.Depth, columns = shape.Pixels * images, bits = precision.ActivationBits;
        int maxLevel = (1 << precision.WeightBits) - 1;
        var values = Enumerable.Range(0, rows * depth).Select(_ => (sbyte)(2 * random.Next(maxLevel + 1) - maxLevel)).ToArray();
        var weights = Int8Weights.FromValues(values, rows, depth);
        int stride = weights.PaddedDepth;
        var levels = Enumerable.Range(0, columns * stride).Select(_ => (byte)random.Next(1 << bits)).ToArray();
        var output = new int[rows * columns];
        var layout = OutputLayout.ColumnMajor(rows);
        var range = GemmRange.All(rows, columns);
        ByteColumns Activations() => new(levels, columns, stride, bits);
        var calls = new List<TimedCall>
        {
            new("pairs", () => Int8Gemm.MultiplyAvx2(weights, Activations(), output, layout, range, Int8Avx2Form.PairSums)),
            new("grouped", () => Int8Gemm.MultiplyAvx2(weights, Activations(), output, layout, range, Int8Avx2Form.GroupedPairSums)),
        };
        if (vnni) calls.Add(new("vnni", () => Int8Gemm.Multiply(weights, Activations(), output, layout, range, KernelVariant.AvxVnni)));
        MicroBenchmark.Measure(calls, settings);
        double macs = (double)rows * depth * columns;
        double Rate(int i) => macs / (calls[i].Median() * 1e6);
        string vnniRate = vnni ? Rate(2).ToString("F1", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {architecture} | {precision} | {rows} | {depth} | {columns} | {Int8Gemm.GroupedQuads(weights, bits)} | {Rate(0):F1} | {Rate(1):F1} | {Rate(1) / Rate(0):F2}x | {vnniRate} |"));
    }
}
