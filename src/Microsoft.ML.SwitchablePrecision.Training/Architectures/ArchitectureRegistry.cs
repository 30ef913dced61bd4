namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// The architectures this build knows, one line each. An architecture is a network class with its
/// <see cref="ArchitectureDefinition"/> beside it, an <see cref="ArchitectureKind"/> member and its line here
/// (docs/method.md, "Adding an architecture").
/// </summary>
internal static class ArchitectureRegistry
{
    private static readonly ArchitectureDefinition[] Registered =
    [
        ResNet.ResNet20,
        ResNet.ResNet18,
        MobileNetV2.Definition,
    ];

    /// <summary>Every registered architecture, in registration order.</summary>
    public static IReadOnlyList<ArchitectureDefinition> All => Registered;

    /// <summary>The definition of <paramref name="kind"/>, or null when no architecture is registered under it.</summary>
    public static ArchitectureDefinition? Find(ArchitectureKind kind) => Array.Find(Registered, a => a.Kind == kind);

    /// <summary>The definition of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException">No architecture is registered under <paramref name="kind"/>; the message names it and the registered ones.</exception>
    public static ArchitectureDefinition Get(ArchitectureKind kind, string parameterName) =>
        Find(kind) ?? throw new ArgumentException(UnknownMessage(kind), parameterName);

    /// <summary>Why <paramref name="kind"/> cannot be built, naming the registered architectures.</summary>
    public static string UnknownMessage(ArchitectureKind kind) => (Enum.IsDefined(kind)
            ? $"Architecture {kind} has no registered definition"
            : $"Architecture {((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture)} is not defined")
        + $": expected one of {string.Join(", ", Registered.Select(a => a.Kind))}.";
}
