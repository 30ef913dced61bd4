using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;
using Microsoft.ML.SwitchablePrecision.Tests.Inference;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>
/// Plans from stored weights alone (no TorchSharp) against the network's own plans, and the torch-free quantizers
/// against the TorchSharp ones, for every architecture with a plan walk, every quantizer and every switch.
/// </summary>
public class StoredPlanAgreementTests(ITestOutputHelper output)
{
    // Measured (docs/method.md, "Plans from stored weights"): 1 of 270,608 ResNet-20 weights at W8A8 (float32 tanh).
    private const double LevelDifferenceBound = 1e-5;

    public static TheoryData<ArchitectureKind, string, QuantizerKind> Cases()
    {
        var data = PlanAgreementTests.ArchitecturesFamiliesAndQuantizers();
        foreach (var row in PlanAgreementTests.FamiliesAndQuantizers()) data.Add(ArchitectureKind.ResNet20, (string)row[0], (QuantizerKind)row[1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheStoredStateGivesTheNetworksPlansBitForBitAndTheTorchSharpQuantizersLevelsWithinTheBound(
        ArchitectureKind architecture, string family, QuantizerKind quantizer)
    {
        var network = Calibrated(architecture, family, quantizer);
        var table = StoredStates.Table(network);
        using var scope = NewDisposeScope();
        var pixels = cat([RealImages(400, 6), RandomImages(2, seed: 8)], 0).contiguous().data<float>().ToArray();
        foreach (var precision in Family(family))
        {
            var stored = StoredNetworkPlans.Describe(network.Options, table, precision);
            var fromNetwork = StoredStates.Compare(InferencePlanCompiler.Describe(network, precision), stored);
            Assert.True(fromNetwork.IsNone, $"{precision}: {fromNetwork}");
            Assert.Equal(Predict(network.Plans.Get(precision), pixels), Predict(StoredNetworkPlans.Compile(network.Options, table, precision), pixels));

            var torch = StoredStates.Compare(PlanWalks.Required(architecture)(new PlanBuilder(new LiveLayerSource(network), precision)), stored);
            output.WriteLine($"{architecture} {quantizer} {precision} against the TorchSharp quantizers: {torch}");
            Assert.Empty(torch.Folds);
            Assert.Empty(torch.InputForms);
            Assert.InRange(torch.Levels, 0, (long)(LevelDifferenceBound * torch.Weights));
            // Only the 1-bit mean |w| is summed differently (in double here, in float32 by TorchSharp).
            if (precision.WeightBits != 1 || quantizer == QuantizerKind.Lsq) Assert.Empty(torch.Scales);
            Assert.InRange(torch.LargestScaleUlps, 0, 2);
        }
    }

    private static int[] Predict(InferencePlan plan, float[] pixels)
    {
        var logits = new float[pixels.Length / plan.InputLength * plan.Classes];
        plan.Predict(pixels, pixels.Length / plan.InputLength, logits, threads: 1);
        return logits.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
