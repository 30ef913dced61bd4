using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark;

/// <summary>
/// The packed binary-weight convolution (1-bit weights, k-bit activations, bit-serial popcount) against TorchSharp's
/// float32 conv2d of the same shape, on the binary 3x3 convolutions of ResNet-20 (1x28x28). Both start from already
/// quantized activations (levels for the packed kernel, levels / n as float32 for conv2d) and end with a float32 NCHW
/// output. The variants of one row group run interleaved, in rotating order, so that load from other processes hits
/// them alike; every figure is the median over the repetitions.
/// </summary>
internal static class KernelTable
{
    private static readonly int[] ActivationBits = [1, 2, 4];
    private static readonly int[] Batches = [1, 32];
    private static readonly ConvShape[] Shapes =
    [
        new("16->16, 28x28, stride 1", 16, 16, 28, 1),
        new("16->32, 28x28, stride 2", 16, 32, 28, 2),
        new("32->32, 14x14, stride 1", 32, 32, 14, 1),
        new("32->64, 14x14, stride 2", 32, 64, 14, 2),
        new("64->64, 7x7, stride 1", 64, 64, 7, 1),
    ];

    public static void Run(Settings settings)
    {
        var random = new Random(0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Binary-weight 3x3 convolutions of ResNet-20 (padding 1), 1 thread (torch.set_num_threads(1)), {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSArchitecture}, POPCNT {(Popcnt.X64.IsSupported ? "yes" : "no")}, .NET {Environment.Version}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median of {settings.Reps} repetitions after {settings.Warmup} warm-up; a repetition repeats the call until it lasts >= {settings.MinRepMs} ms"));
        Console.WriteLine();
        Console.WriteLine("| layer | batch | act bits | float32 conv2d ms | packed ms | float / packed | max abs diff |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var shape in Shapes)
            foreach (int batch in Batches)
                MeasureGroup(shape, batch, settings, random);
        Console.WriteLine();
        Console.WriteLine("| layer | float32 weight bytes | packed weight bytes (sign words + scale) | float / packed |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var shape in Shapes)
        {
            var packed = PackedBinaryWeights.FromConvolution(new float[shape.Out * shape.In * 9], shape.Out, shape.In, 3, 3);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape.Name} | {packed.FloatByteCount} | {packed.PackedByteCount} | {packed.FloatByteCount / (double)packed.PackedByteCount:F1}x |"));
        }
    }

    private static void MeasureGroup(ConvShape shape, int batch, Settings settings, Random random)
    {
        int size = shape.Size, outputSize = (size + 2 - 3) / shape.Stride + 1;
        var weights = new float[shape.Out * shape.In * 9];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 2 - 1);
        var activations = new float[batch * shape.In * size * size];
        for (int i = 0; i < activations.Length; i++) activations[i] = (float)random.NextDouble();
        var conv = new BinaryConv2d(weights, shape.Out, shape.In, 3, 3, shape.Stride, 1);
        var output = new float[batch * shape.Out * outputSize * outputSize];

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var floatWeights = tensor(weights, [shape.Out, shape.In, 3, 3]);
        using var binaryWeights = DoReFa.QuantizeWeights(floatWeights, 1);
        using var input = tensor(activations, [batch, shape.In, size, size]);
        long[] strides = [shape.Stride, shape.Stride], padding = [1, 1];

        var variants = new List<Variant> { new("float", 32, () => nn.functional.conv2d(input, binaryWeights, null, strides, padding).Dispose()) };
        var levelsByBits = new Dictionary<int, byte[]>();
        foreach (int bits in ActivationBits)
        {
            var levels = new byte[activations.Length];
            ActivationLevels.Quantize(activations, bits, levels);
            levelsByBits[bits] = levels;
            variants.Add(new($"packed", bits, () => conv.Forward(levels, batch, size, size, bits, output)));
        }

        // Correctness of this very configuration: packed output against conv2d of the DoReFa-quantized input.
        var maxDiff = new Dictionary<int, double>();
        foreach (int bits in ActivationBits)
        {
            conv.Forward(levelsByBits[bits], batch, size, size, bits, output);
            using var quantized = DoReFa.QuantizeActivations(input, bits);
            using var expected = nn.functional.conv2d(quantized, binaryWeights, null, strides, padding);
            var reference = expected.data<float>().ToArray();
            maxDiff[bits] = reference.Select((r, i) => (double)Math.Abs(r - output[i])).Max();
        }

        foreach (var variant in variants) variant.Calibrate(settings.MinRepMs, settings.Warmup);
        for (int rep = 0; rep < settings.Reps; rep++)
            for (int v = 0; v < variants.Count; v++)
                variants[(v + rep) % variants.Count].Measure();

        double floatMs = variants[0].Median();
        foreach (var variant in variants.Skip(1))
        {
            double packedMs = variant.Median();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape.Name} | {batch} | {variant.Bits} | {floatMs:F4} | {packedMs:F4} | {floatMs / packedMs:F2}x | {maxDiff[variant.Bits]:G2} |"));
        }
    }

    private sealed record ConvShape(string Name, int In, int Out, int Size, int Stride);
}
