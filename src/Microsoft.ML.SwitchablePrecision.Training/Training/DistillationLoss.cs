using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>The soft part of self-distillation.</summary>
internal static class DistillationLoss
{
    /// <summary>
    /// Mean over the batch of KL(softmax(target / T) || softmax(student / T)) * T^2: zero when the student matches the
    /// target; its gradient equals that of the soft cross-entropy. <paramref name="targetLogits"/> must be detached.
    /// </summary>
    public static Tensor Soft(Tensor studentLogits, Tensor targetLogits, double temperature)
    {
        using var t = temperature.ToScalar();
        using var tSquared = (temperature * temperature).ToScalar();
        using var targetLog = log_softmax(targetLogits.div(t), 1);
        using var studentLog = log_softmax(studentLogits.div(t), 1);
        using var targetProbability = targetLog.exp();
        using var gap = targetLog.sub(studentLog);
        using var perImage = targetProbability.mul(gap).sum(1);
        return perImage.mean().mul(tSquared);
    }
}
