using System.Globalization;
using System.Numerics;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The whole arithmetic of a layer with 1-bit weights and at most the mask's bits of input channels, per image: the
/// int8 path (implicit im2col copy, int8 GEMM, int32-to-float) against the channel-mask bit convolution (mask packing,
/// AND + popcount per tap, floats written directly), at 1, 2 and 4 activation bits, interleaved, thread CPU time,
/// medians. Then inside compiled ResNet-20 plans (random weights, DoReFa): each layer the default selection gives the
/// channel-mask kernel of this width, its arithmetic against the int8 plan's, on 1 image and on one 4-image workspace chunk.
/// Mode "channel-masks" runs the 16-bit masks, "wide-channel-masks" the 32-bit ones, "channel-masks-64" the 64-bit
/// ones and then, in place of the ResNet-20 table, <see cref="ChannelMaskPlanLayers"/>.
/// </summary>
internal static class ChannelMaskBenchmark
{
    private static readonly ConvolutionShape[] SixteenBitShapes =
    [
        new(16, 28, 28, 16, 3, 1, 1), new(16, 28, 28, 32, 3, 2, 1), new(8, 28, 28, 8, 3, 1, 1), new(8, 28, 28, 16, 3, 2, 1),
        new(16, 14, 14, 16, 3, 1, 1), new(16, 32, 32, 16, 3, 1, 1), new(12, 16, 16, 24, 3, 1, 1), new(16, 28, 28, 32, 1, 2, 0),
    ];

    private static readonly ConvolutionShape[] ThirtyTwoBitShapes =
    [
        new(32, 14, 14, 32, 3, 1, 1), new(32, 14, 14, 64, 3, 2, 1), new(24, 14, 14, 24, 3, 1, 1), new(20, 14, 14, 32, 3, 1, 1),
        new(32, 28, 28, 32, 3, 1, 1), new(32, 7, 7, 32, 3, 1, 1), new(32, 14, 14, 64, 1, 2, 0),
    ];

    private static readonly ConvolutionShape[] SixtyFourBitShapes =
    [
        new(64, 7, 7, 64, 3, 1, 1), new(64, 14, 14, 64, 3, 1, 1), new(64, 32, 32, 64, 3, 1, 1), new(64, 32, 32, 128, 3, 2, 1),
        new(48, 14, 14, 48, 3, 1, 1), new(40, 7, 7, 64, 3, 1, 1),
    ];

    public static void Run(Settings settings, int maskBits)
    {
        switch (maskBits)
        {
            case 16: Run<ushort>(settings, SixteenBitShapes); break;
            case 32: Run<uint>(settings, ThirtyTwoBitShapes); break;
            case 64:
                Run<ulong>(settings, SixtyFourBitShapes, inResNet20: false);
                Console.WriteLine();
                ChannelMaskPlanLayers.Run(settings);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(maskBits), maskBits, "expected 16, 32 or 64");
        }
    }

    private static void Run<TMask>(Settings settings, ConvolutionShape[] shapes, bool inResNet20 = true)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        string kernel = $"{ChannelMaskWidth<TMask>.Bits}-bit channel-mask";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1-bit-weight convolution of one image: int8 (implicit im2col + GEMM + int-to-float) against {kernel} bit operations (pack + AND/popcount), median of {settings.Reps} after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine();
        Console.WriteLine("| layer | K | P | act bits | int8 us | channel-mask us | of which packing us | int8 / channel-mask |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var random = new Random(5);
        foreach (var shape in shapes)
            foreach (int bits in new[] { 1, 2, 4 })
            {
                var signs = new int[shape.OutChannels * shape.Depth];
                for (int i = 0; i < signs.Length; i++) signs[i] = 2 * random.Next(2) - 1;
                var int8Weights = Int8Weights.FromValues(signs.Select(s => (sbyte)s).ToArray(), shape.OutChannels, shape.Depth);
                var maskWeights = ChannelMaskWeights<TMask>.FromIntegers(signs, shape.OutChannels, shape.InChannels, shape.KernelSize, 2, 1);
                var image = new byte[shape.InputPerImage];
                for (int i = 0; i < image.Length; i++) image[i] = (byte)random.Next(1 << bits);
                var taps = new PaddedTaps(shape);
                var scratch = new byte[taps.PaddedBytes];
                var layout = new ChannelMaskLayout<TMask>(shape.InChannels, shape.Height, shape.Width, shape.Padding, bits);
                var masks = new TMask[layout.Length];
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
        if (!inResNet20) return;
        Console.WriteLine();
        Console.WriteLine("inside ResNet-20 plans (1x28x28, DoReFa, random weights): the layer's whole arithmetic (ConvolutionArithmetic.Accumulate), default plan against int8-only plan");
        Console.WriteLine();
        Console.WriteLine("| switch | layer | images | int8 us | channel-mask us | int8 / channel-mask |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        Precision[] switches = [new(1, 1), new(1, 2)];
        using var network = NetworkFactory.Create(new NetworkOptions
        {
            Architecture = ArchitectureKind.ResNet20, InputChannels = 1, Height = 28, Width = 28, Switches = switches, Quantizer = QuantizerKind.DoReFa,
        }, seed: 1);
        network.eval();
        foreach (var precision in switches)
        {
            var chosen = InferencePlanCompiler.Compile(network, precision);
            var int8 = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 0);
            var integers = int8.Steps.OfType<ConvolutionStep>().ToDictionary(s => s.Name);
            foreach (var step in chosen.Steps.OfType<ConvolutionStep>().Where(s => s.Arithmetic is ChannelMaskArithmetic<TMask>))
                foreach (int images in new[] { 1, InferencePlan.ImagesPerChunk })
                {
                    var calls = new[] { KernelSelectionBenchmark.Call("int8", integers[step.Name], int8, images, random), KernelSelectionBenchmark.Call("channel-mask", step, chosen, images, random) };
                    MicroBenchmark.Measure(calls, settings);
                    double int8Us = calls[0].Median() * 1e3, maskUs = calls[1].Median() * 1e3;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {precision} | {step.Name} | {images} | {int8Us:F1} | {maskUs:F1} | {int8Us / maskUs:F2}x |"));
                }
        }
    }
}
