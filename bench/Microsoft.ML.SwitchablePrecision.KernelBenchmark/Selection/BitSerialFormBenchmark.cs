using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The two AVX-512 forms of the bit-serial GEMM (issues 13 and 14): nibble lookup against carry-save counting, on every
/// distinct layer shape the bit-serial kernel can serve in ResNet-20 (1x28x28) and ResNet-18 (3x32x32) at W1A1 and W1A2
/// (plans compiled with the bit-serial kernel forced), on 1 and 8 images, the GEMM alone, interleaved, thread CPU time,
/// medians. The last column is the form <see cref="BitSerialGemm.Avx512FormFor"/> picks.
/// </summary>
internal static class BitSerialFormBenchmark
{
    private static readonly (ArchitectureKind Architecture, int Channels, int Size)[] Networks =
        [(ArchitectureKind.ResNet20, 1, 28), (ArchitectureKind.ResNet18, 3, 32)];

    private static readonly Precision[] Switches = [new(1, 1), new(1, 2)];

    public static void Run(Settings settings)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bit-serial GEMM on AVX-512: nibble lookup against carry-save; 1 thread, median of {settings.Reps} repetitions after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine("M = output channels, K = taps x input channels, P = output pixels x images; GMAC/s; ratio = carry-save / lookup (> 1: carry-save faster)");
        Console.WriteLine();
        Console.WriteLine("| network | switch | M | K | words | P | lookup GMAC/s | carry-save GMAC/s | carry-save / lookup | chosen |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        if (!KernelSupport.IsSupported(KernelVariant.Avx512))
        {
            Console.WriteLine("AVX-512 not supported here: nothing to measure");
            return;
        }
        var random = new Random(0);
        foreach (var (architecture, channels, size) in Networks)
            foreach (var precision in Switches)
                foreach (var shape in LayerShapes(architecture, channels, size, precision))
                    foreach (int images in new[] { 1, 8 })
                        Measure(architecture, precision, shape, images, settings, random);
    }

    private static IEnumerable<(int Rows, int Depth, int Pixels)> LayerShapes(ArchitectureKind architecture, int channels, int size, Precision precision)
    {
        var options = new NetworkOptions
        {
            Architecture = architecture, InputChannels = channels, Height = size, Width = size, Switches = [precision],
            Quantizer = QuantizerKind.DoReFa,
        };
        using var network = NetworkFactory.Create(options, seed: 1);
        network.eval();
        var plan = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 8);
        return plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is BitSerialArithmetic)
            .Select(s => (s.Arithmetic.Shape.OutChannels, s.Arithmetic.Shape.Depth, s.Arithmetic.Shape.OutPixels)).Distinct().ToList();
    }

    private static void Measure(ArchitectureKind architecture, Precision precision, (int Rows, int Depth, int Pixels) shape, int images,
        Settings settings, Random random)
    {
        int rows = shape.Rows, depth = shape.Depth, columns = shape.Pixels * images, bits = precision.ActivationBits;
        var weightLevels = Enumerable.Range(0, rows * depth).Select(_ => (byte)random.Next(2)).ToArray();
        var weights = BitSerialWeights.FromLevels(weightLevels, rows, depth, 1, 2, 1);
        int perColumn = bits * weights.WordsPerPlane;
        var words = new ulong[columns * perColumn];
        var sums = new int[columns];
        var levels = new byte[depth];
        for (int p = 0; p < columns; p++)
        {
            for (int k = 0; k < depth; k++) levels[k] = (byte)random.Next(1 << bits);
            sums[p] = BitPlaneColumns.PackColumn(levels, bits, words.AsSpan(p * perColumn, perColumn));
        }
        var output = new int[rows * columns];
        var layout = OutputLayout.ColumnMajor(rows);
        var range = GemmRange.All(rows, columns);
        BitPlaneColumns Activations() => new(words, sums, columns, bits, weights.WordsPerPlane);
        var calls = new[]
        {
            new TimedCall("lookup", () => BitSerialGemm.MultiplyAvx512(weights, Activations(), output, layout, range, BitSerialAvx512Form.NibbleLookup)),
            new TimedCall("carry-save", () => BitSerialGemm.MultiplyAvx512(weights, Activations(), output, layout, range, BitSerialAvx512Form.CarrySave)),
        };
        MicroBenchmark.Measure(calls, settings);
        double macs = (double)rows * depth * columns;
        double lookup = macs / (calls[0].Median() * 1e6), carrySave = macs / (calls[1].Median() * 1e6);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {architecture} | {precision} | {rows} | {depth} | {weights.WordsPerPlane} | {columns} | {lookup:F1} | {carrySave:F1} | {carrySave / lookup:F2}x | {BitSerialGemm.Avx512FormFor(weights.WordsPerPlane, bits)} |"));
    }
}
