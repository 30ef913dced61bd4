using Microsoft.ML.SwitchablePrecision.Inference;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class PlanAgreementTests(ITestOutputHelper output)
{
    // Logits within this fraction of the largest logit (issue 13).
    private const double Tolerance = 1e-4;

    public static TheoryData<string, QuantizerKind> FamiliesAndQuantizers()
    {
        var data = new TheoryData<string, QuantizerKind>();
        foreach (var family in new[] { "binary", "uniform" })
            foreach (var quantizer in Enum.GetValues<QuantizerKind>())
                data.Add(family, quantizer);
        return data;
    }

    [Theory]
    [MemberData(nameof(FamiliesAndQuantizers))]
    public void EverySwitchOfThePlanGivesTheTorchSharpLogits(string family, QuantizerKind quantizer)
    {
        using var scope = NewDisposeScope();
        var network = Calibrated(family, quantizer);
        var images = cat([RealImages(100, 6), RandomImages(2, seed: 5)], 0);
        foreach (var precision in Family(family))
        {
            var plan = InferencePlanCompiler.Compile(network, precision);
            var expected = TorchLogits(network, precision, images);
            var actual = PlanLogits(plan, images);
            double difference = RelativeDifference(actual, expected);
            output.WriteLine($"{quantizer} {precision}: relative difference {difference:G3}");
            Assert.InRange(difference, 0, Tolerance);
        }
    }
}
