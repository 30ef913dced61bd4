using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class SeededInitialisationTests
{
    private static readonly NetworkOptions Options = new()
    {
        Architecture = ArchitectureKind.MobileNetV2, WidthMultiplier = 0.25, QuantizeFirstAndLastLayers = true,
        Switches = [new Precision(1, 1), Precision.FullPrecision],
    };

    [Fact]
    public async Task TheSameSeedGivesIdenticalWeightsWhileAnotherThreadDrawsFromTheGlobalGenerator()
    {
        using var stop = new CancellationTokenSource();
        var noise = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                manual_seed(99);
                using var drawn = rand(1000);
            }
        });
        try
        {
            var first = Weights(7);
            var second = Weights(7);
            Assert.Equal(first.Keys, second.Keys);
            Assert.All(first.Keys, name => Assert.True(first[name].SequenceEqual(second[name]), $"{name} differs"));
            var other = Weights(8);
            Assert.Contains(first.Keys, name => !first[name].SequenceEqual(other[name]));
        }
        finally
        {
            stop.Cancel();
            await noise;
        }
    }

    [Fact]
    public void ANestedSeededScopeRestoresTheOuterGenerator()
    {
        float Draw()
        {
            using var tensor = empty(1);
            InitialWeights.Uniform(tensor, 1);
            return tensor.item<float>();
        }

        float firstTwo, expected;
        using (InitialWeights.Seeded(3)) { Draw(); expected = Draw(); }
        using (InitialWeights.Seeded(3))
        {
            Draw();
            using (InitialWeights.Seeded(4)) Draw();
            firstTwo = Draw();
        }
        Assert.Equal(expected, firstTwo);
    }

    private static Dictionary<string, float[]> Weights(long seed)
    {
        using var network = NetworkFactory.Create(Options, seed);
        return ParameterValues(network);
    }

    internal static Dictionary<string, float[]> ParameterValues(SwitchableNetwork network) =>
        network.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
}

// Seeds TorchSharp's global generator: a test on another thread would draw from it between the seed and the creation.
[Collection(ProcessWideStateCollection.Name)]
public class GlobalGeneratorTests
{
    [Theory]
    [InlineData(ArchitectureKind.ResNet20)]
    [InlineData(ArchitectureKind.MobileNetV2)]
    public void ASeededNetworkDrawsWhatManualSeedThenCreateDraws(ArchitectureKind kind)
    {
        // Experiment cells recorded before seeded creation existed stay reproducible only if both paths agree bit for bit.
        var options = new NetworkOptions
        {
            Architecture = kind, WidthMultiplier = 0.25, QuantizeFirstAndLastLayers = true, Switches = [Precision.FullPrecision],
        };
        manual_seed(21);
        using var global = NetworkFactory.Create(options);
        using var seeded = NetworkFactory.Create(options, 21);
        var expected = SeededInitialisationTests.ParameterValues(global);
        foreach (var (name, values) in SeededInitialisationTests.ParameterValues(seeded))
            Assert.True(values.SequenceEqual(expected[name]), $"{name} differs");
    }
}
