using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;
using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// Times training steps of an SP-Net and of dedicated models on the real data with the real recipe (a few hundred
/// steps, not whole epochs) and the test evaluation, and projects the cost of an epoch and of the matrix.
/// </summary>
internal static class StepTimer
{
    private const int WarmupSteps = 5;

    /// <summary>Runs the measurement and writes a report to <paramref name="log"/>.</summary>
    public static void Measure(ExperimentData data, int steps, int threads, TextWriter log)
    {
        var budget = new Budget(ArchitectureKind.ResNet20, 1, 1, data.Id, Recipe.Id);
        var specs = new[]
        {
            CellSpec.SpNet(Families.BinaryWeight, QuantizerKind.DoReFa, DistillationMode.Recursive, budget, 1),
            CellSpec.SpNet(Families.Joint, QuantizerKind.DoReFa, DistillationMode.Recursive, budget, 1),
            CellSpec.Dedicated("W1A1", QuantizerKind.DoReFa, budget, 1),
            CellSpec.Dedicated("W32A32", QuantizerKind.DoReFa, budget, 1),
        };
        int stepsPerEpoch = (int)Math.Ceiling(data.Train.Count / (double)Recipe.BatchSize);
        var slice = data.Train.Take((steps + WarmupSteps) * Recipe.BatchSize);
        log.WriteLine(Inv($"Timing {steps} steps after {WarmupSteps} warm-up, batch {Recipe.BatchSize}, {threads} threads; an epoch of {data.Train.Count} images is {stepsPerEpoch} steps."));
        foreach (var spec in specs)
        {
            using var network = NetworkFactory.Create(Recipe.Network(spec), seed: 1);
            var trainer = new SwitchableNetworkTrainer(Recipe.Trainer(spec, threads));
            TimeSpan warm = TimeSpan.Zero, end = TimeSpan.Zero, cpuWarm = TimeSpan.Zero, cpuEnd = TimeSpan.Zero;
            trainer.Train(network, slice, progress: p =>
            {
                if (p.IsEpochEnd) return;
                if (p.Step == WarmupSteps) (warm, cpuWarm) = (p.Elapsed, ProcessorTime());
                if (p.Step == WarmupSteps + steps) (end, cpuEnd) = (p.Elapsed, ProcessorTime());
            });
            double stepMs = (end - warm).TotalMilliseconds / steps;
            double cpuMs = (cpuEnd - cpuWarm).TotalMilliseconds / steps;
            int before = torch.get_num_threads();
            torch.set_num_threads(threads);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            NetworkEvaluator.Evaluate(network, data.Test);
            double evaluationSeconds = clock.Elapsed.TotalSeconds;
            torch.set_num_threads(before);
            log.WriteLine(Inv(
                $"{(spec.Kind == CellKind.SpNet ? "SP-Net " + string.Join("/", spec.Switches) : "dedicated " + spec.Switches[0]),-44} {stepMs,7:F0} ms/step wall ({stepMs / spec.Switches.Count:F0} per switch pass), {cpuMs,7:F0} ms/step CPU; epoch {stepMs * stepsPerEpoch / 60000:F1} min wall, {cpuMs / threads * stepsPerEpoch / 60000:F1} min at full use of {threads} cores; test evaluation {evaluationSeconds:F1} s"));
        }
    }

    // CPU time of the whole process: unlike wall time it barely changes when other work shares the cores.
    private static TimeSpan ProcessorTime()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
