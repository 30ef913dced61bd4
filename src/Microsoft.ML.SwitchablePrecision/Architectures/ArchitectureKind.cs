namespace Microsoft.ML.SwitchablePrecision;

/// <summary>The network shapes a switchable-precision model can be built with.</summary>
public enum ArchitectureKind
{
    /// <summary>CIFAR-style ResNet-20 (3 stages of 3 basic blocks, 16/32/64 channels): the fast CPU default for 28-32 px images.</summary>
    ResNet20,

    /// <summary>ResNet-18 with a 3x3 stride-1 stem and no max-pool, for small inputs.</summary>
    ResNet18,

    /// <summary>MobileNetV2 (inverted residuals, depthwise convolutions) adapted to small inputs, with a width multiplier.</summary>
    MobileNetV2,
}
