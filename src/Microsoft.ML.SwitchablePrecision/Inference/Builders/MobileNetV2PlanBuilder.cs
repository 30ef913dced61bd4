using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// The plan of a <see cref="MobileNetV2"/>, as its forward computes it: stem conv + BN + ReLU6; per inverted residual
/// block the 1x1 expansion + BN + ReLU6 (absent at expansion 1), the 3x3 depthwise convolution + BN + ReLU6 (on the
/// depthwise kernel), the 1x1 linear projection + BN, plus the block's input where the shape is kept (no activation
/// after the add); then the 1x1 head + BN + ReLU6, global average pooling and the classifier. Each layer keeps the
/// quantizers the network gave it (the expansion and head read the float value, the depthwise and projection read
/// their input quantizer's levels), and the width multiplier is whatever channel counts the network was built with.
/// </summary>
internal static class MobileNetV2PlanBuilder
{
    public static InferencePlan Build(MobileNetV2 network, PlanBuilder plan)
    {
        var options = network.Options;
        var x = plan.Input(options.InputChannels, options.Height, options.Width, options.InputMean, options.InputStd);
        x = plan.Convolution("stem", network.Stem, plan.Norm(network.StemNorm), x, residual: null, Rectifier.Relu6);
        int index = 0;
        foreach (var block in network.Blocks)
        {
            string path = $"block{index++}";
            var hidden = block.Expand is null ? x
                : plan.Convolution($"{path}.expand", block.Expand, plan.Norm(block.ExpandNorm!), x, residual: null, Rectifier.Relu6);
            hidden = plan.Convolution($"{path}.depthwise", block.Depthwise, plan.Norm(block.DepthwiseNorm), hidden, residual: null, Rectifier.Relu6);
            x = plan.Convolution($"{path}.project", block.Project, plan.Norm(block.ProjectNorm), hidden,
                block.HasResidual ? x : null, Rectifier.None);
        }
        x = plan.Convolution("head", network.Head, plan.Norm(network.HeadNorm), x, residual: null, Rectifier.Relu6);
        var pooled = plan.GlobalAveragePool("pool", x);
        return plan.Build(plan.Linear("classifier", network.Classifier, pooled));
    }
}
