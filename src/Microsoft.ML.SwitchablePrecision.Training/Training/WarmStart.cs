using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>The full-precision warm start of <see cref="TrainerOptions.FullPrecisionWarmStart"/>.</summary>
internal static class WarmStart
{
    /// <summary>The number of warm-start steps: the fraction of all steps, rounded to the nearest step.</summary>
    public static long Steps(double fraction, long totalSteps) => (long)Math.Round(fraction * totalSteps, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Copies the BatchNorm parameters and running statistics the warm start trained (the teacher's) to every other
    /// switch, so each switch starts the joint phase from the float network's normalisation instead of the initial one.
    /// </summary>
    public static void HandOverBatchNorm(SwitchableNetwork network, int teacher)
    {
        using var noGrad = torch.no_grad();
        foreach (var norm in network.modules().OfType<SwitchableBatchNorm2d>())
        {
            var source = norm.ForSwitch(teacher).state_dict();
            for (int s = 0; s < network.Switches.Count; s++)
            {
                if (s == teacher) continue;
                foreach (var (name, tensor) in norm.ForSwitch(s).state_dict()) tensor.copy_(source[name]);
            }
        }
    }
}
