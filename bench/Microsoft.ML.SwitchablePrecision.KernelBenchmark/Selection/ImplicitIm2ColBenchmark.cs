using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The int8 convolution of one image with its taps copied into columns (<see cref="LevelIm2Col"/>, then the dense
/// GEMM) against the implicit im2col (<see cref="PaddedTaps"/>: one zero-bordered copy, the gathered GEMM), on the 3x3
/// layer shapes of ResNet-20, ResNet-18 and the 1x1 projections of MobileNetV2, interleaved, thread CPU time, medians.
/// </summary>
internal static class ImplicitIm2ColBenchmark
{
    private static readonly ConvolutionShape[] Shapes =
    [
        new(16, 28, 28, 16, 3, 1, 1), new(16, 28, 28, 32, 3, 2, 1), new(32, 14, 14, 32, 3, 1, 1), new(32, 14, 14, 64, 3, 2, 1),
        new(64, 7, 7, 64, 3, 1, 1), new(64, 32, 32, 64, 3, 1, 1), new(128, 16, 16, 128, 3, 1, 1), new(256, 8, 8, 256, 3, 1, 1),
        new(512, 4, 4, 512, 3, 1, 1), new(96, 32, 32, 24, 1, 1, 0), new(384, 8, 8, 64, 1, 1, 0), new(960, 4, 4, 160, 1, 1, 0),
    ];

    public static void Run(Settings settings)
    {
        Console.WriteLine("int8 convolution of one image, 4-bit levels: im2col copy + dense GEMM against implicit im2col + gathered GEMM (us, thread CPU time)");
        Console.WriteLine();
        Console.WriteLine("| layer | K | P | im2col us | implicit us | im2col / implicit |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var random = new Random(3);
        foreach (var shape in Shapes)
        {
            var values = new sbyte[shape.OutChannels * shape.Depth];
            for (int i = 0; i < values.Length; i++) values[i] = (sbyte)random.Next(-7, 8);
            var weights = Int8Weights.FromValues(values, shape.OutChannels, shape.Depth);
            var image = new byte[shape.InputPerImage];
            for (int i = 0; i < image.Length; i++) image[i] = (byte)random.Next(16);
            int stride = weights.PaddedDepth;
            var columns = new byte[shape.OutPixels * stride];
            var output = new int[shape.OutPixels * shape.OutChannels];
            var taps = new PaddedTaps(shape);
            var scratch = new byte[taps.PaddedBytes];
            var layout = OutputLayout.ColumnMajor(shape.OutChannels);
            var range = GemmRange.All(shape.OutChannels, shape.OutPixels);
            var calls = new[]
            {
                new TimedCall("im2col", () =>
                {
                    LevelIm2Col.Columns(shape, image, columns, stride);
                    Int8Gemm.Multiply(weights, new ByteColumns(columns, shape.OutPixels, stride, 4), output, layout, range);
                }),
                new TimedCall("implicit", () => Int8Gemm.Multiply(weights, taps.Columns(image, scratch, 4), output, layout, range)),
            };
            MicroBenchmark.Measure(calls, settings);
            double copied = calls[0].Median() * 1e3, gathered = calls[1].Median() * 1e3;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape.KernelSize}x{shape.KernelSize} {shape.InChannels}->{shape.OutChannels} {shape.Height}x{shape.Width} stride {shape.Stride} | {shape.Depth} | {shape.OutPixels} | {copied:F1} | {gathered:F1} | {copied / gathered:F2}x |"));
        }
    }
}
