namespace Microsoft.ML.SwitchablePrecision.Experiments.Matrix;

/// <summary>The switch families of the paper-claim matrix, least precise first.</summary>
internal static class Families
{
    /// <summary>Binary weights with switchable activation precision: BNN (W1A1) up to BinaryConnect (W1A32).</summary>
    public static IReadOnlyList<string> BinaryWeight { get; } = ["W1A1", "W1A2", "W1A4", "W1A32"];

    /// <summary>Weights and activations switched together, 1 to 32 bits.</summary>
    public static IReadOnlyList<string> Joint { get; } = ["W1A1", "W2A2", "W4A4", "W8A8", "W32A32"];

    /// <summary>True for a switch that quantizes weights or activations.</summary>
    public static bool IsQuantized(string precision) => !Precision.Parse(precision).IsFullPrecision;
}
