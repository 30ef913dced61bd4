using Microsoft.ML.SwitchablePrecision.Quantization.Families;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>The registered quantizer families: the one place a <see cref="QuantizerKind"/> is mapped to its behaviour.</summary>
internal static class QuantizerRegistry
{
    // One line per family.
    private static readonly QuantizerFamily[] Families =
    [
        new DoReFaFamily(),
        new PactFamily(),
        new LsqFamily(),
    ];

    /// <summary>Every registered family, in registration order.</summary>
    public static IReadOnlyList<QuantizerFamily> All => Families;

    /// <summary>The family registered for <paramref name="kind"/>.</summary>
    /// <param name="kind">The quantizer asked for.</param>
    /// <param name="parameter">The parameter name the exception reports.</param>
    /// <exception cref="ArgumentException">No family is registered for <paramref name="kind"/>; the message names it and the registered ones.</exception>
    public static QuantizerFamily Get(QuantizerKind kind, string parameter = "kind")
    {
        foreach (var family in Families)
            if (family.Kind == kind) return family;
        throw new ArgumentException(UnknownMessage(kind), parameter);
    }

    /// <summary>Why <paramref name="kind"/> has no family, naming the registered ones.</summary>
    public static string UnknownMessage(QuantizerKind kind) => (Enum.IsDefined(kind)
            ? $"Quantizer {kind} has no registered family"
            : $"Quantizer {((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture)} is not defined")
        + $": expected one of {string.Join(", ", Families.Select(f => f.Kind))}.";

    /// <summary>Why clipping 32-bit activations cannot go with <paramref name="kind"/>, or null when it can (or <paramref name="clip"/> is false).</summary>
    public static string? ClipProblem(bool clip, QuantizerKind kind) => clip && !Get(kind).SupportsClipFullPrecisionActivations
        ? $"ClipFullPrecisionActivations clips to DoReFa's range [0, 1]: expected Quantizer {string.Join(" or ", Families.Where(f => f.SupportsClipFullPrecisionActivations).Select(f => f.Kind))}, got {kind}."
        : null;
}
