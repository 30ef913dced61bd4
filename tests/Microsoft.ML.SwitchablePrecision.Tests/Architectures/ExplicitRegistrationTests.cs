using System.Reflection;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class ExplicitRegistrationTests
{
    [Fact]
    public void EveryLibraryModuleThatHoldsSubmodulesInFieldsRegistersThemExplicitly()
    {
        // A module with submodule fields would have them registered a second time under their field names by
        // TorchSharp's default RegisterComponents; ExplicitlyRegisteredModule turns that off once for all of them.
        var holders = typeof(SwitchableNetwork).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(nn.Module)))
            .Where(t => t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                .Any(f => typeof(nn.Module).IsAssignableFrom(f.FieldType)))
            .ToArray();
        Assert.Equal(["BasicBlock", "InvertedResidual", "MobileNetV2", "ResNet", "SwitchableBatchNorm2d"], holders.Select(t => t.Name).Order());
        Assert.All(holders, t => Assert.True(t.IsSubclassOf(typeof(ExplicitlyRegisteredModule)), t.Name));
    }

    public static TheoryData<ArchitectureKind, QuantizerKind> EveryArchitectureAndQuantizer()
    {
        var data = new TheoryData<ArchitectureKind, QuantizerKind>();
        foreach (var architecture in ArchitectureRegistry.All)
            foreach (var quantizer in Enum.GetValues<QuantizerKind>())
                data.Add(architecture.Kind, quantizer);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryArchitectureAndQuantizer))]
    public void StateDictHoldsEveryTensorOnceUnderARegisteredName(ArchitectureKind kind, QuantizerKind quantizer)
    {
        using var network = NetworkFactory.Create(new NetworkOptions
        {
            Architecture = kind, Quantizer = quantizer, WidthMultiplier = 0.125, Switches = [new Precision(1, 1), Precision.FullPrecision],
        }, seed: 1);
        var state = network.state_dict();
        Assert.Equal(state.Count, state.Values.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.DoesNotContain(state.Keys, name => name.Split('.').Any(part => part.StartsWith('_')));
        Assert.Equal(network.named_parameters().Count() + network.named_buffers().Count(), state.Count);
    }
}
