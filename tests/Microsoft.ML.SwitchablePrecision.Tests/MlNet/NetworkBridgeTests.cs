using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>A network trained with the engine tier becomes an ML.NET transformer through the public API, and can be saved.</summary>
public sealed class NetworkBridgeTests
{
    [Fact]
    public void ANetworkTrainedWithSwitchableNetworkTrainerScoresThroughMlNetAsItDoesDirectlyAndSurvivesSaveAndLoad()
    {
        var train = SubsetData.Balanced(SubsetData.Train, 20);
        var test = SubsetData.Balanced(SubsetData.Test, 3);
        var network = NetworkFactory.Create(new NetworkOptions
        {
            Switches = [new(1, 2), Precision.FullPrecision], WidthMultiplier = 0.25, InputMean = [72f], InputStd = [90f],
        }, seed: 3);
        new SwitchableNetworkTrainer(new TrainerOptions { Epochs = 1, BatchSize = 50, Seed = 3 }).Train(network, train);
        var ml = new MLContext(seed: 1);
        using var spNet = ml.Model.CreateSpNetTransformer(network, FashionMnist.ClassNames, new SpNetOptions { ScoreColumnName = "Probabilities" });
        var view = ml.Data.LoadFromEnumerable(Rows(test));

        foreach (var precision in spNet.Switches)
        {
            network.ActivePrecision = precision;
            var direct = NetworkEvaluator.PredictProbabilities(network, test.Pixels, test.Count);
            var scored = spNet.AtPrecision(precision).Transform(view).GetColumn<float[]>("Probabilities").SelectMany(s => s).ToArray();
            Assert.Equal(direct.Length, scored.Length);
            // An absolute tolerance: rounding both to 5 decimals fails when they straddle a rounding edge (0.176725015 against 0.176724985).
            for (int i = 0; i < direct.Length; i++) Assert.Equal(direct[i], scored[i], 1e-5);
        }
        Assert.Equal(network.Switches, spNet.Options.Switches);
        Assert.Equal(0.25, spNet.Options.WidthMultiplier);

        var path = Path.Combine(Path.GetTempPath(), $"bridge-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveAtomically(spNet, view.Schema, path);
            using var loaded = (SwitchablePrecisionTransformer)ml.Model.LoadChecked(path, out _);
            Assert.Equal(FashionMnist.ClassNames, loaded.ClassNames);
            Assert.Equal(spNet.Transform(view).GetColumn<float[]>("Probabilities").ToList(), loaded.Transform(view).GetColumn<float[]>("Probabilities").ToList());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ClassNamesThatDoNotFitTheNetworkAreRefused()
    {
        var ml = new MLContext(seed: 1);
        using var network = NetworkFactory.Create(new NetworkOptions { Classes = 3, WidthMultiplier = 0.25 }, seed: 1);
        Assert.StartsWith("classNames has 2 names; the network classifies 3 classes.",
            Assert.Throws<ArgumentException>(() => ml.Model.CreateSpNetTransformer(network, ["a", "b"])).Message);
        Assert.StartsWith("classNames lists 'a' more than once.",
            Assert.Throws<ArgumentException>(() => ml.Model.CreateSpNetTransformer(network, ["a", "b", "a"])).Message);
        Assert.StartsWith("classNames[1] is empty",
            Assert.Throws<ArgumentException>(() => ml.Model.CreateSpNetTransformer(network, ["a", "", "c"])).Message);
    }

    private static IEnumerable<Row> Rows(ImageDataset data)
    {
        for (int i = 0; i < data.Count; i++)
            yield return new Row { Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray() };
    }

    private sealed class Row
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }
}
