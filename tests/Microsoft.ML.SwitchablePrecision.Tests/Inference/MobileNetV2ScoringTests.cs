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
    public void MobileNetV2PrefersPlansAtEveryBatchAndResNetsKeepTheirMeasuredPolicy()
    {
        foreach (var precision in BinaryFamily.Concat(UniformFamily))
            foreach (int batch in new[] { 1, 8, 64, 256 })
            {
                Assert.True(ScoringPolicy.PrefersPlan(ArchitectureKind.MobileNetV2, precision, batch), $"{precision} batch {batch}");
                Assert.Equal(ScoringPolicy.PrefersPlan(precision, batch), ScoringPolicy.PrefersPlan(ArchitectureKind.ResNet20, precision, batch));
                Assert.Equal(ScoringPolicy.PrefersPlan(precision, batch), ScoringPolicy.PrefersPlan(ArchitectureKind.ResNet18, precision, batch));
            }
        // The ResNet decisions themselves: ScoringPolicyTests.
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
            for (int i = 0; i < 3; i++)
            {
                var row = new PixelRow { Features = test.Pixels.AsSpan(i * test.ImageSize, test.ImageSize).ToArray() };
                transformer.UseInferencePlans = false;
                var reference = engine.Predict(row).Score.ToArray();
                transformer.UseInferencePlans = true;
                var planned = engine.Predict(row).Score.ToArray();
                for (int c = 0; c < reference.Length; c++)
                    Assert.True(Math.Abs(reference[c] - planned[c]) <= 1e-4f, $"{precision} row {i} class {c}: {planned[c]} against {reference[c]}");
            }
            Assert.Equal(compiled + 1, network.Plans.CompiledCount);
        }
    }
}
