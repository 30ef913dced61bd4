using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// The plan of a <see cref="ResNet"/> (ResNet-20 and ResNet-18): stem conv + BN + ReLU, per basic block
/// <c>conv1 + BN1 + ReLU</c>, the projection shortcut (1x1 conv + BN) where the shape changes, <c>conv2 + BN2 +
/// shortcut + ReLU</c>, then global average pooling and the classifier.
/// </summary>
internal static class ResNetPlanBuilder
{
    public static InferencePlan Build(ResNet network, PlanBuilder plan)
    {
        var options = network.Options;
        var x = plan.Input(options.InputChannels, options.Height, options.Width, options.InputMean, options.InputStd);
        x = plan.Convolution("stem", network.Stem, plan.Norm(network.StemNorm), x, residual: null, relu: true);
        int index = 0;
        foreach (var block in network.Blocks)
        {
            string path = $"block{index++}";
            var h = plan.Convolution($"{path}.conv1", block.Conv1, plan.Norm(block.Norm1), x, residual: null, relu: true);
            var shortcut = block.Shortcut is null ? x
                : plan.Convolution($"{path}.shortcut", block.Shortcut, plan.Norm(block.ShortcutNorm!), x, residual: null, relu: false);
            x = plan.Convolution($"{path}.conv2", block.Conv2, plan.Norm(block.Norm2), h, shortcut, relu: true);
        }
        var pooled = plan.GlobalAveragePool("pool", x);
        return plan.Build(plan.Linear("classifier", network.Classifier, pooled));
    }
}
