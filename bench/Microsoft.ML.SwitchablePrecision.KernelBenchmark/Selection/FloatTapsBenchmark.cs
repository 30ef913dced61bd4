using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The float convolutions of one image with their taps copied into columns (im2col, then the dense GEMM) against the
/// implicit im2col (<see cref="PaddedFloatTaps"/>: one zero-bordered copy, the gathered GEMM), for the float32 GEMM
/// (stem, W32A32) and the sign-accumulate GEMM (W1A32), on ResNet-20's layer shapes, interleaved, thread CPU time, medians.
/// </summary>
internal static class FloatTapsBenchmark
{
    private static readonly ConvolutionShape[] Shapes =
    [
        new(1, 28, 28, 16, 3, 1, 1), new(16, 28, 28, 16, 3, 1, 1), new(16, 28, 28, 32, 3, 2, 1), new(32, 14, 14, 32, 3, 1, 1),
        new(32, 14, 14, 64, 3, 2, 1), new(64, 7, 7, 64, 3, 1, 1), new(16, 28, 28, 32, 1, 2, 0),
    ];

    public static void Run(Settings settings)
    {
        Console.WriteLine("float convolution of one image: im2col copy + dense GEMM against implicit im2col + gathered GEMM (us, thread CPU time)");
        Console.WriteLine();
        Console.WriteLine("| kernel | layer | K | P | im2col us | implicit us | im2col / implicit |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        var random = new Random(7);
        foreach (var shape in Shapes)
        {
            var values = Enumerable.Range(0, shape.OutChannels * shape.Depth).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var floats = FloatGemmWeights.FromMatrix(values, shape.OutChannels, shape.Depth);
            var signs = SignWeights.FromSigns(values, shape.OutChannels, shape.Depth);
            var image = Enumerable.Range(0, shape.InputPerImage).Select(_ => (float)random.NextDouble()).ToArray();
            var columns = new float[shape.OutPixels * shape.Depth];
            var output = new float[shape.OutputPerImage];
            var taps = new PaddedFloatTaps(shape);
            var scratch = new float[taps.PaddedLength];
            var layout = OutputLayout.ColumnMajor(shape.OutChannels);
            var range = GemmRange.All(shape.OutChannels, shape.OutPixels);
            foreach (var kernel in new[] { "float32", "sign-accumulate" })
            {
                void Multiply(FloatColumns a)
                {
                    if (kernel == "float32") FloatGemm.Multiply(floats, a, output, layout, range);
                    else SignAccumulateGemm.Multiply(signs, a, output, layout, range);
                }
                var calls = new[]
                {
                    new TimedCall("im2col", () =>
                    {
                        shape.Im2Col<float>(image, 0, shape.OutPixels, columns, shape.Depth, 0f);
                        Multiply(new FloatColumns(columns, shape.OutPixels, shape.Depth, shape.Depth));
                    }),
                    new TimedCall("implicit", () => Multiply(taps.Columns(image, scratch))),
                };
                MicroBenchmark.Measure(calls, settings);
                double copied = calls[0].Median() * 1e3, gathered = calls[1].Median() * 1e3;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kernel} | {shape.KernelSize}x{shape.KernelSize} {shape.InChannels}->{shape.OutChannels} {shape.Height}x{shape.Width} stride {shape.Stride} | {shape.Depth} | {shape.OutPixels} | {copied:F1} | {gathered:F1} | {copied / gathered:F2}x |"));
            }
        }
    }
}
