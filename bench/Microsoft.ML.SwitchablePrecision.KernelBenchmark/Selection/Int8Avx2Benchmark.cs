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
/// The W8A8 GEMMs on AVX2 without VNNI (issue 13): every distinct int8 layer shape of ResNet-20 (1x28x28) and
/// ResNet-18 (3x32x32) at W8A8 (DoReFa, weights in -128..127 after halving, 8-bit levels), on 1 and 8 images, timed
/// with the split pair sums, the int16 words and the float32 GEMM on the same levels as floats (exact below 2^24),
/// interleaved, thread CPU time, medians; beside them the pair sums on 7-bit levels of the same shape (what the 3- to
/// 7-bit switches run, the bound of the int8 AVX2 kernel), and the int16 GEMM on the unhalved odd weights with the
/// levels widened (<see cref="Int16Gemm"/>, widening included). The last column is the form <see cref="Int8Gemm.Avx2FormFor"/> picks.
/// </summary>
internal static class Int8Avx2Benchmark
{
    private static readonly (ArchitectureKind Architecture, int Channels, int Size)[] Networks =
        [(ArchitectureKind.ResNet20, 1, 28), (ArchitectureKind.ResNet18, 3, 32)];

    public static void Run(Settings settings)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"W8A8 GEMM on AVX2: split pair sums, int16 words, float32 GEMM on the level values; 1 thread, median of {settings.Reps} repetitions after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine("M = output channels, K = taps x input channels, P = output pixels x images; GMAC/s; ratios = split / words and float / words (> 1: words faster)");
        Console.WriteLine();
        Console.WriteLine("| network | M | K | P | split GMAC/s | words GMAC/s | float32 GMAC/s | split / words | float / words | pair sums A7 GMAC/s | int16 GMAC/s | int16 / words | chosen |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        if (!KernelSupport.IsSupported(KernelVariant.Avx2))
        {
            Console.WriteLine("AVX2 not supported here: nothing to measure");
            return;
        }
        var random = new Random(0);
        foreach (var (architecture, channels, size) in Networks)
            foreach (var shape in LayerShapes(architecture, channels, size, new Precision(8, 8)))
                foreach (int images in new[] { 1, 8 })
                    Measure(architecture, shape, images, settings, random);
    }

    /// <summary>The distinct GEMM shapes (M, K, pixels per image) of the int8 layers of a DoReFa plan at <paramref name="precision"/>.</summary>
    internal static IEnumerable<(int Rows, int Depth, int Pixels)> LayerShapes(ArchitectureKind architecture, int channels, int size,
        Precision precision)
    {
        var options = new NetworkOptions
        {
            Architecture = architecture, InputChannels = channels, Height = size, Width = size, Switches = [precision],
            Quantizer = QuantizerKind.DoReFa,
        };
        using var network = NetworkFactory.Create(options, seed: 1);
        network.eval();
        var plan = InferencePlanCompiler.Compile(network, precision);
        return plan.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is Int8Arithmetic)
            .Select(s => s.Arithmetic.Shape).Select(Gemm).Distinct().ToList();
    }

    private static (int Rows, int Depth, int Pixels) Gemm(ConvolutionShape shape) => (shape.OutChannels, shape.Depth, shape.OutPixels);

    private static void Measure(ArchitectureKind architecture, (int Rows, int Depth, int Pixels) shape, int images, Settings settings, Random random)
    {
        int rows = shape.Rows, depth = shape.Depth, columns = shape.Pixels * images;
        var values = Enumerable.Range(0, rows * depth).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        var weights = Int8Weights.FromValues(values, rows, depth);
        int stride = weights.PaddedDepth;
        var levels = Enumerable.Range(0, columns * stride).Select(_ => (byte)random.Next(256)).ToArray();
        var sevenBit = levels.Select(l => (byte)(l >> 1)).ToArray();
        var floatWeights = FloatGemmWeights.FromMatrix(values.Select(v => (float)v).ToArray(), rows, depth);
        var floatLevels = new float[columns * depth];
        for (int p = 0; p < columns; p++)
            for (int k = 0; k < depth; k++) floatLevels[p * depth + k] = levels[p * stride + k];
        var wideWeights = Int16Weights.FromValues(values.Select(v => (short)(2 * v + 1)).ToArray(), rows, depth);
        int wideStride = wideWeights.PaddedDepth;
        var wideLevels = new short[Int16Arithmetic.ChunkColumns * wideStride];
        var byteLevels = new byte[columns * wideStride];
        for (int p = 0; p < columns; p++) levels.AsSpan(p * stride, depth).CopyTo(byteLevels.AsSpan(p * wideStride));
        var output = new int[rows * columns];
        var floatOutput = new float[rows * columns];
        var layout = OutputLayout.ColumnMajor(rows);
        var range = GemmRange.All(rows, columns);
        var calls = new[]
        {
            new TimedCall("split", () => Int8Gemm.MultiplyAvx2(weights, new ByteColumns(levels, columns, stride, 8), output, layout, range, Int8Avx2Form.SplitPairSums)),
            new TimedCall("words", () => Int8Gemm.MultiplyAvx2(weights, new ByteColumns(levels, columns, stride, 8), output, layout, range, Int8Avx2Form.Words)),
            new TimedCall("float", () => FloatGemm.Multiply(floatWeights, new FloatColumns(floatLevels, columns, depth, depth), floatOutput, layout, range)),
            new TimedCall("pairs", () => Int8Gemm.MultiplyAvx2(weights, new ByteColumns(sevenBit, columns, stride, 7), output, layout, range, Int8Avx2Form.PairSums)),
            new TimedCall("int16", () => Int16Chunks(wideWeights, byteLevels, wideLevels, columns, wideStride, output)),
        };
        MicroBenchmark.Measure(calls, settings);
        double macs = (double)rows * depth * columns;
        double split = macs / (calls[0].Median() * 1e6), words = macs / (calls[1].Median() * 1e6), single = macs / (calls[2].Median() * 1e6);
        double pairs = macs / (calls[3].Median() * 1e6), wide = macs / (calls[4].Median() * 1e6);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {architecture} | {rows} | {depth} | {columns} | {split:F1} | {words:F1} | {single:F1} | {words / split:F2}x | {words / single:F2}x | {pairs:F1} | {wide:F1} | {wide / words:F2}x | {Int8Gemm.Avx2FormFor(weights, 8)} |"));
    }

    // What Int16Arithmetic does after its im2col: widen a chunk of columns, multiply it.
    private static void Int16Chunks(Int16Weights weights, byte[] levels, short[] wide, int columns, int stride, int[] output)
    {
        int rows = weights.Rows;
        for (int start = 0; start < columns; start += Int16Arithmetic.ChunkColumns)
        {
            int count = Math.Min(Int16Arithmetic.ChunkColumns, columns - start);
            LevelWidening.Widen(levels.AsSpan(start * stride, count * stride), wide);
            Int16Gemm.Multiply(weights, new ShortColumns(wide, count, stride, 8), output.AsSpan(start * rows, count * rows),
                OutputLayout.ColumnMajor(rows), GemmRange.All(rows, count), KernelVariant.Avx2);
        }
    }
}
