using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// The 64-bit channel masks on the 33-64-channel 3x3 layers of ResNet-20 (1x28x28) and ResNet-18 (3x32x32) at W1A1
/// and W1A2 (random weights, DoReFa): per layer the whole arithmetic of the int8 plan and of the forced bit-serial
/// plan against the 64-bit channel-mask packing and convolution on the layer's own weights, on 1 image and on one
/// workspace chunk, interleaved, thread CPU time, medians. "before" is the kernel the selection picked without the
/// 64-bit masks (bit-serial where it measured faster than int8, else int8), the ratio is its time over the masks'.
/// </summary>
internal static class ChannelMaskPlanLayers
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 2)];

    private static readonly (ArchitectureKind Architecture, int Channels, int Size)[] Networks =
        [(ArchitectureKind.ResNet20, 1, 28), (ArchitectureKind.ResNet18, 3, 32)];

    public static void Run(Settings settings)
    {
        Console.WriteLine("inside ResNet-20 and ResNet-18 plans (DoReFa, random weights): the layer's whole arithmetic, int8 plan and forced bit-serial plan against the 64-bit channel masks");
        Console.WriteLine();
        Console.WriteLine("| network | switch | layer | in | out | P | images | int8 us | bit-serial us | 64-bit masks us | before | before / masks | selected |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|");
        var random = new Random(7);
        foreach (var (architecture, channels, size) in Networks)
        {
            using var network = NetworkFactory.Create(new NetworkOptions
            {
                Architecture = architecture, InputChannels = channels, Height = size, Width = size, Switches = Switches, Quantizer = QuantizerKind.DoReFa,
            }, seed: 1);
            network.eval();
            foreach (var precision in Switches)
            {
                var description = InferencePlanCompiler.Describe(network, precision);
                var int8 = PlanAssembler.Build(description, maxBitSerialPlanes: 0);
                var serial = PlanAssembler.Build(description, maxBitSerialPlanes: 8);
                var chosen = PlanAssembler.Build(description);
                var integers = int8.Steps.OfType<ConvolutionStep>().ToDictionary(s => s.Name);
                var serials = serial.Steps.OfType<ConvolutionStep>().ToDictionary(s => s.Name);
                var selected = chosen.Steps.OfType<ConvolutionStep>().ToDictionary(s => s.Name);
                foreach (var layer in description.Layers)
                {
                    var shape = layer.Shape;
                    if (layer.Kind != LayerKind.Convolution || layer.Weights is not { Bits: 1 } weights || !layer.InputForm.IsLevels
                        || shape.KernelSize != 3 || shape.InChannels <= 32 || shape.InChannels > 64)
                        continue;
                    int planes = precision.WeightBits * precision.ActivationBits;
                    string before = BitSerialArithmetic.MeasuredFasterThanInt8(shape, planes) ? "bit-serial" : "int8";
                    foreach (int images in new[] { 1, InferencePlan.ImagesPerChunk })
                    {
                        var calls = new[]
                        {
                            KernelSelectionBenchmark.Call("int8", integers[layer.Name], int8, images, random),
                            KernelSelectionBenchmark.Call("bit-serial", serials[layer.Name], serial, images, random),
                            MaskCall(layer, images, random),
                        };
                        MicroBenchmark.Measure(calls, settings);
                        double int8Us = calls[0].Median() * 1e3, serialUs = calls[1].Median() * 1e3, maskUs = calls[2].Median() * 1e3;
                        double beforeUs = before == "int8" ? int8Us : serialUs;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {architecture} | {precision} | {layer.Name} | {shape.InChannels} | {shape.OutChannels} | {shape.OutPixels} | {images} | {int8Us:F1} | {serialUs:F1} | {maskUs:F1} | {before} | {beforeUs / maskUs:F2}x | {Kind(selected[layer.Name].Arithmetic)} |"));
                    }
                }
            }
        }
    }

    private static string Kind(ConvolutionArithmetic arithmetic) => arithmetic switch
    {
        ChannelMaskArithmetic<ulong> => "64-bit masks",
        BitSerialArithmetic => "bit-serial",
        _ => "int8",
    };

    // What ChannelMaskArithmetic<ulong>.Accumulate runs, on the layer's weights and random levels, in buffers of its own.
    private static TimedCall MaskCall(LayerRecord layer, int images, Random random)
    {
        var shape = layer.Shape;
        var weights = layer.Weights!;
        var quantizer = layer.InputForm.Quantizer!;
        var maskWeights = ChannelMaskWeights<ulong>.FromIntegers(weights.Levels, weights.Rows, shape.InChannels, shape.KernelSize,
            weights.Grid.Spacing, -weights.Grid.Minimum);
        var layout = new ChannelMaskLayout<ulong>(shape.InChannels, shape.Height, shape.Width, shape.Padding, quantizer.Bits);
        var masks = new ulong[layout.Length];
        var levels = new byte[shape.InputPerImage * images];
        for (int i = 0; i < levels.Length; i++) levels[i] = (byte)random.Next(quantizer.Steps + 1);
        var output = new float[shape.OutputPerImage * images];
        return new TimedCall("64-bit masks", () =>
        {
            for (int n = 0; n < images; n++)
            {
                ChannelMasks.Pack(layout, levels.AsSpan(n * shape.InputPerImage, shape.InputPerImage), masks);
                ChannelMaskConvolution.Multiply(maskWeights, layout, masks, shape.Stride, output.AsSpan(n * shape.OutputPerImage, shape.OutputPerImage));
            }
        });
    }
}
