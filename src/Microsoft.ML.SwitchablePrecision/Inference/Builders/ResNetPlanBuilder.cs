using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// The plan of a <c>ResNet</c> (ResNet-20 and ResNet-18), walked over its <see cref="ResNetLayout"/>:
/// stem conv + BN + ReLU, per basic block <c>conv1 + BN1 + ReLU</c>, the projection shortcut (1x1 conv + BN) where the
/// shape changes, <c>conv2 + BN2 + shortcut + ReLU</c>, then global average pooling and the classifier.
/// </summary>
internal static class ResNetPlanBuilder
{
    public static PlanDescription Describe(PlanBuilder plan)
    {
        var layout = ResNetLayout.Of(plan.Options);
        var x = plan.Input();
        x = plan.Convolution("stem", layout.Stem, x, residual: null, Rectifier.Relu);
        int index = 0;
        foreach (var block in layout.Blocks)
        {
            string path = $"block{index++}";
            var h = plan.Convolution($"{path}.conv1", block.Conv1, x, residual: null, Rectifier.Relu);
            var shortcut = block.Shortcut is null ? x
                : plan.Convolution($"{path}.shortcut", block.Shortcut, x, residual: null, Rectifier.None);
            x = plan.Convolution($"{path}.conv2", block.Conv2, h, shortcut, Rectifier.Relu);
        }
        var pooled = plan.GlobalAveragePool("pool", x);
        return plan.Finish(plan.Linear("classifier", layout.Classifier, pooled));
    }
}
