using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark;

/// <summary>
/// Whole-network inference: ResNet-20 (width <c>--width</c>, default 1; 1x28x28, DoReFa) forward passes in evaluation mode without
/// gradients, packed kernels on against off, per switch and batch size, interleaved in rotating order; then
/// single-image <c>PredictionEngine</c> latency through the ML.NET transformer, packed on against off.
/// </summary>
internal static class NetworkBenchmark
{
    private static readonly Precision[] Measured = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];
    private static readonly int[] Batches = [1, 2, 4, 8, 16, 32];

    public static void Run(Settings settings)
    {
        var options = new NetworkOptions
        {
            Architecture = ArchitectureKind.ResNet20, WidthMultiplier = settings.Width, Quantizer = QuantizerKind.DoReFa,
            Switches = [.. Measured, Precision.FullPrecision], InputMean = [72.94f], InputStd = [90.02f],
        };
        using var network = NetworkFactory.Create(options, seed: 0);
        network.eval();
        // The forward table measures the kernels at every batch size, which is what the default limit is set from.
        network.Context.PackedBatchBitsLimit = int.MaxValue;
        Console.WriteLine(FormattableString.Invariant($"Whole ResNet-20 forward pass (width {settings.Width}, 1x28x28, DoReFa, untrained weights), evaluation mode, no_grad, 1 thread, packed at every batch size (batch-times-bits limit lifted)"));
        Console.WriteLine();
        Console.WriteLine("| switch | batch | simulated ms | packed ms | simulated / packed | packed convolutions per pass | max relative logit diff |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (int batch in Batches)
            foreach (var precision in Measured)
                MeasureForward(network, precision, batch, settings);
        Console.WriteLine();
        ReportWeightCheck(network);
        Console.WriteLine();
        network.Context.PackedBatchBitsLimit = SwitchContext.DefaultPackedBatchBitsLimit;
        MeasurePredictionEngine(network, options, settings);
    }

    private static void MeasureForward(SwitchableNetwork network, Precision precision, int batch, Settings settings)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.ActivePrecision = precision;
        var images = rand(batch, 1, 28, 28).mul_(255);
        float[] Logits(bool packed)
        {
            network.UsePackedKernels = packed;
            using var logits = network.forward(images);
            return logits.data<float>().ToArray();
        }

        long before = network.Context.PackedConvolutions;
        var packedLogits = Logits(packed: true);
        long packedPerPass = network.Context.PackedConvolutions - before;
        var simulatedLogits = Logits(packed: false);
        double scale = Math.Max(1e-6, simulatedLogits.Max(Math.Abs));
        double difference = simulatedLogits.Select((s, i) => Math.Abs(s - packedLogits[i])).Max() / scale;

        var variants = new List<Variant>
        {
            new("simulated", precision.ActivationBits, () => Logits(packed: false)),
            new("packed", precision.ActivationBits, () => Logits(packed: true)),
        };
        Time(variants, settings);
        double simulated = variants[0].Median(), packed = variants[1].Median();
        network.UsePackedKernels = true;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {precision} | {batch} | {simulated:F3} | {packed:F3} | {simulated / packed:F2}x | {packedPerPass} | {difference:G2} |"));
    }

    // The packed path compares each layer's latent weights with the copy it packed from on every call.
    private static void ReportWeightCheck(SwitchableNetwork network)
    {
        var weights = network.modules().OfType<QuantizedConv2d>().Distinct().Where(c => c.QuantizesWeights && c.QuantizesInput)
            .Select(c => c.Weight.data<float>().ToArray()).ToArray();
        var copies = weights.Select(w => (float[])w.Clone()).ToArray();
        long bytes = weights.Sum(w => (long)w.Length * sizeof(float));
        bool equal = true;
        var check = new Variant("check", 0, () =>
        {
            for (int i = 0; i < weights.Length; i++)
                equal &= System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights[i].AsSpan())
                    .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(copies[i].AsSpan()));
        });
        check.Calibrate(2.0, 3);
        for (int rep = 0; rep < 15; rep++) check.Measure();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Weight freshness check per forward pass (compare the latent weights of the {weights.Length} packed layers, {bytes} bytes, with their packed-from copies): {check.Median():F4} ms{(equal ? "" : " (mismatch!)")}"));
    }

    private static void MeasurePredictionEngine(SwitchableNetwork network, NetworkOptions networkOptions, Settings settings)
    {
        var mlContext = new MLContext(seed: 0);
        var spNetOptions = new SpNetOptions { Switches = [.. networkOptions.Switches] };
        var classNames = Enumerable.Range(0, networkOptions.Classes).Select(i => $"class{i}").ToArray();
        var transformer = new SwitchablePrecisionTransformer((IHostEnvironment)mlContext, new TorchNetworkBackend(network), spNetOptions, classNames);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 16).Select(_ => new PixelRow
        {
            Features = Enumerable.Range(0, 784).Select(_ => (float)random.Next(256)).ToArray(),
        }).ToArray();
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        using var engine = mlContext.Model.CreatePredictionEngine<PixelRow, ScoreRow>(transformer,
            new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = schema });
        int next = 0;
        void PredictOne() => engine.Predict(rows[next++ % rows.Length]);

        Console.WriteLine("Single-image PredictionEngine.Predict through the ML.NET transformer (includes row copy, tensor creation, softmax)");
        Console.WriteLine();
        Console.WriteLine("| switch | simulated ms | packed ms | simulated / packed |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var precision in Measured)
        {
            transformer.Precision = precision;
            var variants = new List<Variant>
            {
                new("simulated", precision.ActivationBits, () => { transformer.UsePackedKernels = false; PredictOne(); }),
                new("packed", precision.ActivationBits, () => { transformer.UsePackedKernels = true; PredictOne(); }),
            };
            Time(variants, settings);
            double simulated = variants[0].Median(), packed = variants[1].Median();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {precision} | {simulated:F3} | {packed:F3} | {simulated / packed:F2}x |"));
        }
        transformer.UsePackedKernels = true;
    }

    private static void Time(List<Variant> variants, Settings settings)
    {
        foreach (var variant in variants) variant.Calibrate(settings.MinRepMs, settings.Warmup);
        for (int rep = 0; rep < settings.Reps; rep++)
            for (int v = 0; v < variants.Count; v++)
                variants[(v + rep) % variants.Count].Measure();
    }

    private sealed class PixelRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
