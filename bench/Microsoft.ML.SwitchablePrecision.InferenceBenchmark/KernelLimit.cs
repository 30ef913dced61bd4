using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.InferenceBenchmark;

/// <summary>
/// How close each switch is to this machine's limit: the multiply-accumulates per image of every convolution, divided
/// by the peak rate of the kernel that runs it, against what the plan takes. The peak of a kernel is measured here, by
/// timing its arithmetic alone (im2col or packing plus the kernel, one thread) on every layer of every plan that uses
/// it, at one batch size, and taking the fastest layer: a kernel's best rate on this network's shapes.
/// </summary>
internal static class KernelLimit
{
    /// <summary>Prints the peak table per kernel and, per plan, the limit against the measured step times.</summary>
    public static void Print(IReadOnlyList<InferencePlan> plans, int batch, Func<Action, double> time)
    {
        var invariant = CultureInfo.InvariantCulture;
        var layers = new List<(InferencePlan Plan, string Kernel, long Macs, double ArithmeticMs, double StepMs)>();
        var others = plans.ToDictionary(p => p, _ => 0.0);
        foreach (var plan in plans)
        {
            var workspace = new Workspace(plan.Layout, batch);
            foreach (var step in plan.Steps)
            {
                double stepMs = time(() => step.Run(workspace, batch));
                if (step is not ConvolutionStep convolution) { others[plan] += stepMs; continue; }
                var accumulators = new float[convolution.AccumulatorsPerImage * batch];
                double arithmeticMs = time(() => convolution.Arithmetic.Accumulate(workspace, convolution.Input, batch, accumulators));
                layers.Add((plan, convolution.Arithmetic.KernelName, Macs(convolution.Arithmetic) * batch, arithmeticMs, stepMs));
            }
        }
        // GMAC/s = MACs / (ms * 1e6).
        var peaks = layers.GroupBy(l => l.Kernel).ToDictionary(g => g.Key, g => g.Max(l => l.Macs / (l.ArithmeticMs * 1e6)));

        Console.WriteLine();
        Console.WriteLine($"kernel peaks: the fastest layer of each kernel, its arithmetic alone (packing + kernel), batch {batch}, 1 thread");
        foreach (var (kernel, peak) in peaks.OrderByDescending(p => p.Value))
            Console.WriteLine(string.Create(invariant, $"  {peak,8:F1} GMAC/s  {kernel} ({layers.Count(l => l.Kernel == kernel)} layers)"));

        Console.WriteLine();
        Console.WriteLine($"distance to the limit, per image at batch {batch}, 1 thread: limit = sum of MACs / peak of the layer's kernel");
        Console.WriteLine($"{"switch",7} {"MACs",9} {"limit ms",9} {"arith. ms",9} {"steps ms",9} {"limit / steps",13}");
        foreach (var plan in plans)
        {
            var own = layers.Where(l => l.Plan == plan).ToList();
            double limit = own.Sum(l => l.Macs / (peaks[l.Kernel] * 1e6)) / batch;
            double arithmetic = own.Sum(l => l.ArithmeticMs) / batch;
            double steps = (own.Sum(l => l.StepMs) + others[plan]) / batch;
            Console.WriteLine(string.Create(invariant,
                $"{plan.Precision,7} {own.Sum(l => l.Macs) / batch / 1e6,8:F1}M {limit,9:F4} {arithmetic,9:F4} {steps,9:F4} {limit / steps,12:P0}"));
        }
    }

    // A depthwise layer multiplies each channel by its own k x k filter, not by every input channel.
    private static long Macs(ConvolutionArithmetic arithmetic) => arithmetic is DepthwiseArithmetic
        ? (long)arithmetic.Shape.OutPixels * arithmetic.Shape.OutChannels * arithmetic.Shape.KernelSize * arithmetic.Shape.KernelSize
        : arithmetic.Shape.MultiplyAccumulates;
}
