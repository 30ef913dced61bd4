using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Selection;

/// <summary>
/// Which integer kernel wins per layer shape: every quantized convolution of ResNet-20 (1x28x28), ResNet-18 and
/// MobileNetV2 (3x32x32) at each switch both kernels serve (W1A1, W1A2, W1A4, W2A2), compiled once with the bit-serial
/// kernel forced and once with int8 forced; the layer's whole arithmetic (im2col or bit-plane packing, GEMM, int32 to
/// float) is timed on 1 image and on one workspace chunk, both kernels interleaved, thread CPU time, medians. The
/// plan's default choice is printed beside the winner, so the table shows where the selection follows the measurement.
/// </summary>
internal static class KernelSelectionBenchmark
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 2), new(1, 4), new(2, 2)];

    private static readonly (ArchitectureKind Architecture, int Channels, int Size)[] Networks =
        [(ArchitectureKind.ResNet20, 1, 28), (ArchitectureKind.ResNet18, 3, 32), (ArchitectureKind.MobileNetV2, 3, 32)];

    public static void Run(Settings settings)
    {
        ImplicitIm2ColBenchmark.Run(settings);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Kernel selection per layer: bit-serial against int8, whole arithmetic of the layer, 1 thread, median of {settings.Reps} repetitions after {settings.Warmup} warm-up (>= {settings.MinRepMs} ms each)"));
        Console.WriteLine($"CPU features: {Kernels.KernelSupport.Describe()}");
        Console.WriteLine(ThreadClock.IsThreadTime ? "times are thread CPU time" : "times are wall-clock");
        Console.WriteLine("planes = weight bits x activation bits; K = kernel taps x input channels; P = output pixels per image; ratio = int8 / bit-serial (> 1: bit-serial faster)");
        Console.WriteLine();
        Console.WriteLine("| network | layer | switch | planes | K | in | out | P | images | int8 us | bit-serial us | int8 / bit-serial | default |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var random = new Random(0);
        foreach (var (architecture, channels, size) in Networks)
        {
            var options = new NetworkOptions
            {
                Architecture = architecture, InputChannels = channels, Height = size, Width = size, Switches = Switches,
                Quantizer = QuantizerKind.DoReFa,
            };
            using var network = NetworkFactory.Create(options, seed: 1);
            network.eval();
            foreach (var precision in Switches)
            {
                var bitSerial = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 8);
                var int8 = InferencePlanCompiler.Compile(network, precision, maxBitSerialPlanes: 0);
                var chosen = InferencePlanCompiler.Compile(network, precision);
                foreach (var (serial, integer, selected) in PairedLayers(bitSerial, int8, chosen))
                    foreach (int images in new[] { 1, InferencePlan.ImagesPerChunk })
                        Measure(architecture, precision, serial, bitSerial, integer, int8, selected, images, settings, random);
            }
        }
    }

    private static IEnumerable<(ConvolutionStep Serial, ConvolutionStep Integer, ConvolutionStep Selected)> PairedLayers(
        InferencePlan bitSerial, InferencePlan int8, InferencePlan chosen)
    {
        var integers = int8.Steps.OfType<ConvolutionStep>().ToDictionary(s => s.Name);
        var selected = chosen.Steps.OfType<ConvolutionStep>().ToDictionary(s => s.Name);
        foreach (var step in bitSerial.Steps.OfType<ConvolutionStep>())
            if (step.Arithmetic is BitSerialArithmetic)
                yield return (step, integers[step.Name], selected[step.Name]);
    }

    private static void Measure(ArchitectureKind architecture, Precision precision, ConvolutionStep serial, InferencePlan serialPlan,
        ConvolutionStep integer, InferencePlan integerPlan, ConvolutionStep selected, int images, Settings settings, Random random)
    {
        var calls = new[] { Call("int8", integer, integerPlan, images, random), Call("bit-serial", serial, serialPlan, images, random) };
        MicroBenchmark.Measure(calls, settings);
        double int8Us = calls[0].Median() * 1e3, serialUs = calls[1].Median() * 1e3;
        var shape = serial.Arithmetic.Shape;
        string choice = selected.Arithmetic is BitSerialArithmetic ? "bit-serial" : "int8";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {architecture} | {serial.Name} | {precision} | {precision.WeightBits * precision.ActivationBits} | {shape.Depth} | {shape.InChannels} | {shape.OutChannels} | {shape.OutPixels} | {images} | {int8Us:F1} | {serialUs:F1} | {int8Us / serialUs:F2}x | {choice} |"));
    }

    // One layer's accumulation on random levels of its input, in a workspace of its plan (shared with ChannelMaskBenchmark).
    internal static TimedCall Call(string name, ConvolutionStep step, InferencePlan plan, int images, Random random)
    {
        var workspace = new Workspace(plan.Layout, images);
        var levels = workspace.Levels(step.Input, images);
        int top = step.Arithmetic.InputForm.Quantizer!.Steps;
        for (int i = 0; i < levels.Length; i++) levels[i] = (byte)random.Next(top + 1);
        var accumulators = new float[step.AccumulatorsPerImage * images];
        return new TimedCall(name, () => step.Arithmetic.Accumulate(workspace, step.Input, images, accumulators));
    }
}
