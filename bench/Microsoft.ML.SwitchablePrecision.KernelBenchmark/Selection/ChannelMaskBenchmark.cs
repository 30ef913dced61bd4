using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The whole arithmetic of a small-channel layer with 1-bit weights, per image: the int8 path the plans ran before
/// (implicit im2col copy, int8 GEMM, int32-to-float) against the channel-mask bit convolution (mask packing, AND +
/// popcount per tap, floats written directly), at 1, 2 and 4 activation bits, interleaved, thread CPU time, medians.
/// </summary>
internal static class ChannelMaskBenchmark
{
    private static readonly ConvolutionShape[] Shapes =
    [
        new(16, 28, 28, 16, 3, 1, 1), new(16, 28, 28, 32, 3, 2, 1), new(8, 28, 28, 8, 3, 1, 1), new(8, 28, 28, 16, 3, 2, 1),
        new(16, 14, 14, 16, 3, 1, 1), new(16, 32, 32, 16, 3, 1, 1), new(12, 16, 16, 24, 3, 1, 1), new(16, 28, 28, 32, 1, 2, 0),
    ];

    public static void Run(Settings settings)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1-bit-weight convolution of one image: int8 (implicit im2col + GEMM + int-to-float) against channel-mask bit operations (pack + AND/popcount), median of {settings.Reps} after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine();
        Console.WriteLine("| layer | K | P | act bits | int8 us | channel-mask us | of which packing us | int8 / channel-mask |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var random = new Random(5);
        foreach (var shape in Shapes)
            foreach (int bits in new[] { 1, 2, 4 })
            {
                var signs = new int[shape.OutChannels * shape.Depth];
                for (int i = 0; i < signs.Length; i++) signs[i] = 2 * random.Next(2) - 1;
                var int8Weights = Int8Weights.FromValues(signs.Select(s => (sbyte)s).ToArray(), shape.OutChannels, shape.Depth);
                var maskWeights = ChannelMaskWeights.FromIntegers(signs, shape.OutChannels, shape.InChannels, shape.KernelSize, 2, 1);
                var image = new byte[shape.InputPerImage];
                for (int i = 0; i < image.Length; i++) image[i] = (byte)random.Next(1 << bits);
                var taps = new PaddedTaps(shape);
                var scratch = new byte[taps.PaddedBytes];
                var layout = new ChannelMaskLayout(shape.InChannels, shape.Height, shape.Width, shape.Padding, bits);
                var masks = new ushort[layout.Length];
                var int8Output = new float[shape.OutputPerImage];
                var maskOutput = new float[shape.OutputPerImage];
                var range = GemmRange.All(shape.OutChannels, shape.OutPixels);
                var calls = new[]
                {
                    new TimedCall("int8", () =>
                    {
                        Int8Gemm.Multiply(int8Weights, taps.Columns(image, scratch, bits), IntegerAccumulators.AsIntegers(int8Output),
                            OutputLayout.ColumnMajor(shape.OutChannels), range);
                        IntegerAccumulators.ConvertInPlace(int8Output);
                    }),
                    new TimedCall("channel-mask", () =>
                    {
                        ChannelMasks.Pack(layout, image, masks);
                        ChannelMaskConvolution.Multiply(maskWeights, layout, masks, shape.Stride, maskOutput);
                    }),
                    new TimedCall("pack", () => ChannelMasks.Pack(layout, image, masks)),
                };
                MicroBenchmark.Measure(calls, settings);
                if (!int8Output.AsSpan().SequenceEqual(maskOutput))
                    throw new InvalidOperationException($"{shape}: the two kernels disagree.");
                double int8Us = calls[0].Median() * 1e3, maskUs = calls[1].Median() * 1e3, packUs = calls[2].Median() * 1e3;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {shape.KernelSize}x{shape.KernelSize} {shape.InChannels}->{shape.OutChannels} {shape.Height}x{shape.Width} stride {shape.Stride} | {shape.Depth} | {shape.OutPixels} | {bits} | {int8Us:F1} | {maskUs:F1} | {packUs:F1} | {int8Us / maskUs:F2}x |"));
            }
    }
}
