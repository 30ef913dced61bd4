using System.Text.Json;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Persistence;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class ClippedActivationTests
{
    private static readonly NetworkOptions Clipped = new()
    {
        Switches = [new Precision(1, 1), new Precision(1, 32)], WidthMultiplier = 0.5, ClipFullPrecisionActivations = true,
        InputMean = [72.94f], InputStd = [90.02f],
    };

    [Fact]
    public void ClippingChangesOnlyTheFullPrecisionActivationSwitch()
    {
        using var scope = NewDisposeScope();
        using var clipped = NetworkFactory.Create(Clipped, seed: 6);
        using var plain = NetworkFactory.Create(Clipped with { ClipFullPrecisionActivations = false }, seed: 6);
        using var generator = new Generator(6);
        var images = rand(3, 1, 28, 28, generator: generator).mul_(255);
        clipped.eval();
        plain.eval();

        Assert.True(Logits(clipped, images, "W1A1").equal(Logits(plain, images, "W1A1")).all().item<bool>());
        Assert.False(Logits(clipped, images, "W1A32").allclose(Logits(plain, images, "W1A32")));
    }

    [Fact]
    public void TheSettingIsStoredWithTheModelAndOldModelsReadWithoutIt()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkFactory.Create(Clipped, seed: 6);
        network.eval();
        var stream = new MemoryStream();
        NetworkModelFile.Write(stream, ModelMetadata.From(Clipped, Clipped.Switches[^1], ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]), network);
        stream.Position = 0;
        var (metadata, restored) = NetworkModelFile.Read(stream);
        using (restored)
        {
            Assert.True(restored.Options.ClipFullPrecisionActivations);
            restored.eval();
            using var generator = new Generator(7);
            var images = rand(2, 1, 28, 28, generator: generator).mul_(255);
            Assert.True(Logits(network, images, "W1A32").equal(Logits(restored, images, "W1A32")).all().item<bool>());
        }

        var json = JsonSerializer.Serialize(metadata).Replace("\"ClipFullPrecisionActivations\":true,", "");
        Assert.DoesNotContain("ClipFullPrecisionActivations", json);
        Assert.False(JsonSerializer.Deserialize<ModelMetadata>(json)!.ToNetworkOptions().ClipFullPrecisionActivations);
    }

    private static Tensor Logits(SwitchableNetwork network, Tensor images, string precision)
    {
        network.ActivePrecision = Precision.Parse(precision);
        using var noGrad = no_grad();
        return network.forward(images);
    }
}
