using Microsoft.ML.SwitchablePrecision.Architectures;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class SaveLoadTests
{
    [Theory]
    [InlineData(ArchitectureKind.ResNet20, QuantizerKind.Lsq)]
    [InlineData(ArchitectureKind.MobileNetV2, QuantizerKind.Pact)]
    public void SavedStateLoadsIntoAFreshNetworkWithIdenticalLogitsAtEverySwitch(ArchitectureKind kind, QuantizerKind quantizer)
    {
        var options = new NetworkOptions
        {
            Architecture = kind, Quantizer = quantizer, WidthMultiplier = kind == ArchitectureKind.ResNet20 ? 1 : 0.25,
            Switches = [new Precision(1, 1), new Precision(2, 2), Precision.FullPrecision],
        };
        using var scope = NewDisposeScope();
        using var original = NetworkFactory.Create(options, seed: 3);
        using var generator = new Generator(3);
        var images = rand(4, 1, 28, 28, generator: generator);
        // A training-mode forward per switch sets LSQ steps and moves each switch's BatchNorm statistics.
        original.train();
        foreach (var precision in options.Switches)
        {
            original.ActivePrecision = precision;
            using (no_grad()) original.forward(images.mul(1 + precision.ActivationBits / 32f));
        }
        original.eval();
        var saved = new MemoryStream();
        original.save(saved); // closes the stream; ToArray still works
        using var stream = new MemoryStream(saved.ToArray());

        using var restored = NetworkFactory.Create(options, seed: 4);
        restored.eval();
        restored.load(stream);

        Assert.Equal(original.state_dict().Keys.ToArray(), restored.state_dict().Keys.ToArray());
        foreach (var precision in options.Switches)
        {
            original.ActivePrecision = precision;
            restored.ActivePrecision = precision;
            Assert.True(original.forward(images).equal(restored.forward(images)).all().item<bool>(), $"logits differ at {precision}");
        }
        if (quantizer == QuantizerKind.Lsq)
        {
            var flags = restored.named_buffers().Where(b => b.name.EndsWith("step_initialized", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(flags);
            Assert.All(flags, f => Assert.Equal(new float[] { 1, 1, 0 }, f.buffer.data<float>().ToArray()));
        }
    }

    [Fact]
    public void ParameterNamesAreDeterministicAndReadable()
    {
        var options = new NetworkOptions { Switches = [new Precision(1, 1), Precision.FullPrecision], Quantizer = QuantizerKind.Pact };
        using var a = NetworkFactory.Create(options);
        using var b = NetworkFactory.Create(options);
        var names = a.state_dict().Keys.ToArray();
        Assert.Equal(names, b.state_dict().Keys.ToArray());
        Assert.Contains("stem.weight", names);
        Assert.Contains("stem_bn.bn.1.running_var", names);
        Assert.Contains("layer2.0.conv1.input_quantizer.alpha_0", names);
        Assert.Contains("layer2.0.shortcut_bn.bn.0.num_batches_tracked", names);
        Assert.Contains("classifier.bias", names);
    }

    [Theory]
    [InlineData(ArchitectureKind.ResNet20)]
    [InlineData(ArchitectureKind.MobileNetV2)]
    public void EveryModuleAndTensorIsListedOnceUnderItsStoredName(ArchitectureKind kind)
    {
        // TorchSharp registers a child's fields again under their field names unless the module opts out, so
        // layer1.0._conv1 would list layer1.0.conv1 a second time and state_dict would carry each BatchNorm twice.
        using var network = NetworkFactory.Create(new NetworkOptions
        {
            Architecture = kind, WidthMultiplier = 0.25, Switches = [new Precision(1, 1), Precision.FullPrecision],
        }, seed: 1);
        var modules = network.named_modules().ToList();
        Assert.Equal(modules.Count, modules.Select(m => m.module).Distinct().Count());
        Assert.DoesNotContain(modules, m => m.name.Split('.').Any(part => part.StartsWith('_')));
        Assert.Equal(network.named_parameters().Count() + network.named_buffers().Count(), network.state_dict().Count);
    }
}
