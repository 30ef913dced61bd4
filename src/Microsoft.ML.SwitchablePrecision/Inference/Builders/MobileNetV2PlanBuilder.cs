using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// The plan of a <c>MobileNetV2</c>, walked over its <see cref="MobileNetV2Layout"/> as its forward
/// computes it: stem conv + BN + ReLU6; per inverted residual block the 1x1 expansion + BN + ReLU6 (absent at expansion
/// 1), the 3x3 depthwise convolution + BN + ReLU6 (on the depthwise kernel), the 1x1 linear projection + BN, plus the
/// block's input where the shape is kept (no activation after the add); then the 1x1 head + BN + ReLU6, global average
/// pooling and the classifier. Each layer quantizes what the layout says (the expansion and head read the float value,
/// the depthwise and projection read their input quantizer's levels); the width multiplier is in the layout's channels.
/// </summary>
internal static class MobileNetV2PlanBuilder
{
    public static PlanDescription Describe(PlanBuilder plan)
    {
        var layout = MobileNetV2Layout.Of(plan.Options);
        var x = plan.Input();
        x = plan.Convolution("stem", layout.Stem, x, residual: null, Rectifier.Relu6);
        int index = 0;
        foreach (var block in layout.Blocks)
        {
            string path = $"block{index++}";
            var hidden = block.Expand is null ? x
                : plan.Convolution($"{path}.expand", block.Expand, x, residual: null, Rectifier.Relu6);
            hidden = plan.Convolution($"{path}.depthwise", block.Depthwise, hidden, residual: null, Rectifier.Relu6);
            x = plan.Convolution($"{path}.project", block.Project, hidden, block.HasResidual ? x : null, Rectifier.None);
        }
        x = plan.Convolution("head", layout.Head, x, residual: null, Rectifier.Relu6);
        var pooled = plan.GlobalAveragePool("pool", x);
        return plan.Finish(plan.Linear("classifier", layout.Classifier, pooled));
    }
}
