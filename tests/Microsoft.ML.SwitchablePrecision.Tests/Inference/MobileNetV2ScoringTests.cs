using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class MobileNetV2ScoringTests
{
    private const int Rows = 20;

    private sealed class PixelRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void MobileNetV2PrefersPlansAtEveryBatchAndResNet20KeepsItsMeasuredPolicy()
    {
        foreach (var precision in BinaryFamily.Concat(UniformFamily))
            foreach (int batch in new[] { 1, 8, 64, 256 })
            {
                Assert.True(ScoringPolicy.PrefersPlan(ArchitectureKind.MobileNetV2, precision, batch), $"{precision} batch {batch}");
                Assert.Equal(ScoringPolicy.PrefersPlan(precision, batch), ScoringPolicy.PrefersPlan(ArchitectureKind.ResNet20, precision, batch));
            }
        // The ResNet decisions themselves (ResNet-18 has its own): ScoringPolicyTests.
        Assert.False(ScoringPolicy.PrefersPlan(ArchitectureKind.ResNet20, new Precision(1, 32), 64));
    }

    [Fact]
    public void APredictionEngineOverAMobileNetV2ScoresOnItsPlansAsOnTheTorchSharpForward()
    {
        var mlContext = new MLContext(seed: 0);
        var options = new NetworkOptions
        {
            Architecture = ArchitectureKind.MobileNetV2, WidthMultiplier = 0.25, Switches = BinaryFamily, Quantizer = QuantizerKind.DoReFa,
            InputMean = [72.94f], InputStd = [90.02f], Classes = 10,
        };
        var network = NetworkFactory.Create(options, seed: 12);
        network.train();
        using (no_grad())
        using (NewDisposeScope())
        {
            var images = Modules.PackedNetworks.RealImages(0, 16);
            foreach (var precision in BinaryFamily)
            {
                network.ActivePrecision = precision;
                network.forward(images);
            }
        }
        using var transformer = new SwitchablePrecisionTransformer((IHostEnvironment)mlContext, new TorchNetworkBackend(network),
            new SpNetOptions { Switches = BinaryFamily, Architecture = ArchitectureKind.MobileNetV2, WidthMultiplier = 0.25 },
            Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray());
        using var engine = mlContext.Model.CreatePredictionEngine<PixelRow, ScoreRow>(transformer, new PredictionEngineOptions { OwnsTransformer = false });
        var test = SubsetData.Test;
        foreach (var precision in BinaryFamily)
        {
            transformer.Precision = precision;
            int compiled = network.Plans.CompiledCount;
            // Statistical, as in PlanScoringTests: a sum on a quantizer's rounding boundary may round to the neighbouring
            // level in TorchSharp's float forward (its summation order depends on thread count and CPU), which moves
            // that row past a tight tolerance; the plans' levels themselves are checked layer by layer elsewhere.
            // Measured here: 0 of 20 rows beyond 1e-4 and no class change at every switch, with one and with two torch threads.
            var beyondTolerance = new List<int>();
            int classFlips = 0;
            for (int i = 0; i < Rows; i++)
            {
                var row = new PixelRow { Features = test.Pixels.AsSpan(i * test.ImageSize, test.ImageSize).ToArray() };
                transformer.UseInferencePlans = false;
                var reference = engine.Predict(row).Score.ToArray();
                transformer.UseInferencePlans = true;
                var planned = engine.Predict(row).Score.ToArray();
                if (reference.Zip(planned, (a, b) => Math.Abs(a - b)).Max() > 1e-4f) beyondTolerance.Add(i);
                if (Modules.PackedNetworks.ArgMax(reference, reference.Length)[0] != Modules.PackedNetworks.ArgMax(planned, planned.Length)[0]) classFlips++;
            }
            Assert.True(beyondTolerance.Count <= 2, $"{precision}: {beyondTolerance.Count} of {Rows} rows differ by more than 1e-4 (rows {string.Join(", ", beyondTolerance)})");
            Assert.True(classFlips <= 1, $"{precision}: the predicted class differs on {classFlips} of {Rows} rows");
            Assert.Equal(compiled + 1, network.Plans.CompiledCount);
        }
    }
}
