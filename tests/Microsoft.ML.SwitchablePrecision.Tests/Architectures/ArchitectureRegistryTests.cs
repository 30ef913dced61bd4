using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Tests.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class ArchitectureRegistryTests
{
    private const string Registered = "expected one of ResNet20, ResNet18, MobileNetV2.";

    [Fact]
    public void EveryArchitectureKindHasExactlyOneDefinitionThatBuildsIt()
    {
        Assert.Equal(Enum.GetValues<ArchitectureKind>(), ArchitectureRegistry.All.Select(a => a.Kind).Order());
        foreach (var kind in Enum.GetValues<ArchitectureKind>())
        {
            using var network = NetworkFactory.Create(new NetworkOptions { Architecture = kind, WidthMultiplier = 0.25 });
            Assert.Equal(kind, network.Options.Architecture);
            Assert.Same(ArchitectureRegistry.Find(kind), ArchitectureRegistry.All.Single(a => a.Kind == kind));
        }
    }

    [Fact]
    public void AnUnknownKindIsRejectedNamingItAndTheRegisteredOnes()
    {
        var options = new NetworkOptions { Architecture = (ArchitectureKind)99 };
        const string expected = "Architecture 99 is not defined: " + Registered;
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => NetworkFactory.Validate(options)).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => NetworkFactory.Create(options)).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => NetworkFactory.MinimumWeightBytes(options)).Message);
        Assert.Null(ArchitectureRegistry.Find((ArchitectureKind)99));
    }

    [Fact]
    public void DefinitionsCarryThePublishedWidthsAndBlocksTheNetworksAreBuiltWith()
    {
        Assert.Equal([16, 32, 64], ResNet.ResNet20.StageWidths);
        Assert.Equal([3, 3, 3], ResNet.ResNet20.BlocksPerStage);
        Assert.Equal([64, 128, 256, 512], ResNet.ResNet18.StageWidths);
        Assert.Equal([2, 2, 2, 2], ResNet.ResNet18.BlocksPerStage);
        Assert.Equal([16, 24, 32, 64, 96, 160, 320], MobileNetV2.Definition.StageWidths);
        Assert.Equal([1, 2, 3, 4, 3, 3, 1], MobileNetV2.Definition.BlocksPerStage);

        foreach (var definition in ArchitectureRegistry.All)
        {
            using var network = NetworkFactory.Create(new NetworkOptions { Architecture = definition.Kind, WidthMultiplier = 1 });
            // Blocks are the registered children two levels down: layerN.M for a ResNet, blocks.M for MobileNetV2.
            var blocks = network.named_modules().Count(m => m.name.Split('.') is [_, var index] && int.TryParse(index, out _));
            Assert.Equal(definition.BlocksPerStage.Sum(), blocks);
        }
    }

    [Theory]
    // ResNet: 4 * ((2 * blocks - 1) * 9 * c^2 + c * classes), c the scaled last-stage width.
    [InlineData(ArchitectureKind.ResNet20, 1.0, 10, 4L * (5 * 9 * 64 * 64 + 64 * 10))]
    [InlineData(ArchitectureKind.ResNet18, 0.5, 37, 4L * (3 * 9 * 256 * 256 + 256 * 37))]
    // MobileNetV2: 4 * (last stage * head + head * classes); 320 x 0.25 = 80, head 1280.
    [InlineData(ArchitectureKind.MobileNetV2, 0.25, 10, 4L * (80 * 1280 + 1280 * 10))]
    public void MinimumWeightBytesComeFromTheArchitecturesDefinition(ArchitectureKind kind, double width, int classes, long expected)
    {
        var options = new NetworkOptions { Architecture = kind, WidthMultiplier = width, Classes = classes };
        Assert.Equal(expected, NetworkFactory.MinimumWeightBytes(options));
        Assert.Equal(expected, ArchitectureRegistry.Find(kind)!.MinimumWeightBytes(options));
    }

    [Fact]
    public void ThePlanCompilerIsFoundThroughTheRegistration()
    {
        Assert.NotNull(ResNet.ResNet20.CompilePlan);
        Assert.NotNull(ResNet.ResNet18.CompilePlan);
        Assert.NotNull(MobileNetV2.Definition.CompilePlan);

        var switches = new[] { new Precision(1, 1), Precision.FullPrecision };
        using var resnet18 = NetworkFactory.Create(new NetworkOptions { Architecture = ArchitectureKind.ResNet18, WidthMultiplier = 0.125, Switches = switches }, seed: 1);
        resnet18.eval();
        Assert.Contains(InferencePlanCompiler.Compile(resnet18, switches[0]).Describe(), step => step.StartsWith("block7.conv2", StringComparison.Ordinal));

        using var mobile = NetworkFactory.Create(new NetworkOptions { Architecture = ArchitectureKind.MobileNetV2, WidthMultiplier = 0.25, Switches = switches });
        mobile.eval();
        Assert.Contains(InferencePlanCompiler.Compile(mobile, switches[0]).Describe(), step => step.StartsWith("block16.depthwise", StringComparison.Ordinal));

        // A network that says ResNet20 but is not a ResNet cannot reach the ResNet plan builder.
        using var tiny = new TinySwitchableNetwork(switches);
        var mismatch = Assert.Throws<NotSupportedException>(() => InferencePlanCompiler.Compile(tiny, switches[0]));
        Assert.Equal("The network is a TinySwitchableNetwork with Architecture ResNet20: the plan builder of that architecture expects a ResNet.", mismatch.Message);
    }
}
