using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;

namespace Microsoft.ML.SwitchablePrecision.Tests.Modules;

public class PackedPredictionEngineTests
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

    [Theory]
    [InlineData("W1A1")]
    [InlineData("W1A2")]
    public void PredictionEngineScoresWithPackedKernelsAsWithoutThem(string precision)
    {
        var mlContext = new MLContext(seed: 0);
        var network = Calibrated(seed: 31, width: 0.5);
        using var transformer = new SwitchablePrecisionTransformer((IHostEnvironment)mlContext, new TorchNetworkBackend(network),
            new SpNetOptions { Switches = Switches }, Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray());
        transformer.Precision = Precision.Parse(precision);
        transformer.UseInferencePlans = false; // this test is about the packed kernels of the TorchSharp path
        using var engine = mlContext.Model.CreatePredictionEngine<PixelRow, ScoreRow>(transformer,
            new PredictionEngineOptions { OwnsTransformer = false });
        var test = SubsetData.Test;

        // Agreement of predicted classes over many images, with the flip rate bounded, rather than scores within a
        // tolerance on a few: a quantization-boundary flip (see PackedInferenceTests) may move one image's scores.
        const int images = 60;
        int flips = 0, loose = 0;
        for (int i = 0; i < images; i++)
        {
            var row = new PixelRow { Features = test.Pixels.AsSpan(i * test.ImageSize, test.ImageSize).ToArray() };
            transformer.UsePackedKernels = false;
            var simulated = engine.Predict(row).Score;
            long before = network.Context.PackedConvolutions;
            transformer.UsePackedKernels = true;
            var packed = engine.Predict(row).Score;

            Assert.Equal(PackedLayersOfResNet20, network.Context.PackedConvolutions - before);
            if (RelativeDifference(packed, simulated) > 1e-5) loose++;
            if (ArgMax(simulated, 10)[0] != ArgMax(packed, 10)[0]) flips++;
        }
        Assert.True(flips <= images / 50, $"{precision}: {flips} of {images} predicted classes differ");
        Assert.True(loose <= images / 10, $"{precision}: {loose} of {images} images' scores differ by more than 1e-5 relative");
    }
}
