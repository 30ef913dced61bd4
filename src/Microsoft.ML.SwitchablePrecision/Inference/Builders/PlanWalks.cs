using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Description;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>The architectures that have a plan walk, and their walks: the one place an architecture's walk is registered.</summary>
internal static class PlanWalks
{
    /// <summary>The walk of <paramref name="architecture"/>, or null when it has none.</summary>
    public static Func<PlanBuilder, PlanDescription>? For(ArchitectureKind architecture) => architecture switch
    {
        ArchitectureKind.ResNet20 or ArchitectureKind.ResNet18 => ResNetPlanBuilder.Describe,
        ArchitectureKind.MobileNetV2 => MobileNetV2PlanBuilder.Describe,
        _ => null,
    };

    /// <summary>The walk of <paramref name="architecture"/>.</summary>
    /// <exception cref="NotSupportedException">The architecture has no plan walk.</exception>
    public static Func<PlanBuilder, PlanDescription> Required(ArchitectureKind architecture) => For(architecture) ?? throw new NotSupportedException(
        $"Architecture {architecture} has no inference plan builder yet; expected one of {string.Join(", ", Enum.GetValues<ArchitectureKind>().Where(a => For(a) is not null))}.");
}
