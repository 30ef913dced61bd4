using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// One quantization switch of a switchable-precision network: the bit width of the weights and of the
/// activations. Written and parsed as <c>W1A2</c>, <c>W4A4</c> or <c>W32A32</c> (32 bits means full precision;
/// <c>FP32</c> is accepted as an alias of <c>W32A32</c>).
/// </summary>
public readonly struct Precision : IEquatable<Precision>, IComparable<Precision>
{
    /// <summary>The bit width that means "not quantized" (IEEE single precision).</summary>
    public const int FullPrecisionBits = 32;

    /// <summary>The largest quantized bit width supported; wider values must be <see cref="FullPrecisionBits"/>.</summary>
    public const int MaxQuantizedBits = 8;

    /// <summary>Creates a switch with the given weight and activation bit widths.</summary>
    /// <param name="weightBits">1 to 8, or 32 for full precision.</param>
    /// <param name="activationBits">1 to 8, or 32 for full precision.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bit width is not 1..8 or 32.</exception>
    public Precision(int weightBits, int activationBits)
    {
        WeightBits = CheckBits(weightBits, nameof(weightBits));
        ActivationBits = CheckBits(activationBits, nameof(activationBits));
    }

    /// <summary>The full-precision switch, <c>W32A32</c>.</summary>
    public static Precision FullPrecision => new(FullPrecisionBits, FullPrecisionBits);

    /// <summary>Bits per weight: 1 to 8, or 32 for full precision.</summary>
    public int WeightBits { get; }

    /// <summary>Bits per activation: 1 to 8, or 32 for full precision.</summary>
    public int ActivationBits { get; }

    /// <summary>True when neither weights nor activations are quantized.</summary>
    public bool IsFullPrecision => WeightBits == FullPrecisionBits && ActivationBits == FullPrecisionBits;

    /// <summary>Returns <c>true</c> when <paramref name="bits"/> is a supported bit width (1..8 or 32).</summary>
    public static bool IsValidBits(int bits) => bits is >= 1 and <= MaxQuantizedBits or FullPrecisionBits;

    /// <summary>Parses <c>W{bits}A{bits}</c> (case-insensitive, surrounding white space ignored) or <c>FP32</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not of that form or names an unsupported bit width.</exception>
    public static Precision Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var precision, out var error)) return precision;
        throw new FormatException(error);
    }

    /// <summary>Tries to parse <c>W{bits}A{bits}</c> or <c>FP32</c>; returns <c>false</c> on any invalid text.</summary>
    public static bool TryParse(string? text, out Precision precision) => TryParse(text, out precision, out _);

    private static bool TryParse(string? text, out Precision precision, out string error)
    {
        precision = default;
        const string expected = "expected W<bits>A<bits> such as W1A2, W4A4 or W32A32 (or FP32), with bits 1 to 8 or 32";
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Equals("FP32", StringComparison.OrdinalIgnoreCase))
        {
            precision = FullPrecision;
            error = "";
            return true;
        }
        int a = trimmed.IndexOf('A', StringComparison.OrdinalIgnoreCase);
        if (trimmed.Length < 4 || char.ToUpperInvariant(trimmed[0]) != 'W' || a < 2
            || !int.TryParse(trimmed.AsSpan(1, a - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(trimmed.AsSpan(a + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int act))
        {
            error = $"Precision '{text}' is not valid: {expected}.";
            return false;
        }
        if (!IsValidBits(w) || !IsValidBits(act))
        {
            int bad = IsValidBits(w) ? act : w;
            error = $"Precision '{text}' has an unsupported bit width {bad}: {expected}.";
            return false;
        }
        precision = new Precision(w, act);
        error = "";
        return true;
    }

    /// <summary>Formats the switch as <c>W{WeightBits}A{ActivationBits}</c>, for example <c>W1A2</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"W{WeightBits}A{ActivationBits}");

    /// <inheritdoc/>
    public bool Equals(Precision other) => WeightBits == other.WeightBits && ActivationBits == other.ActivationBits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Precision other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(WeightBits, ActivationBits);

    /// <summary>Orders switches from cheapest to most precise: by weight bits, then activation bits.</summary>
    public int CompareTo(Precision other)
    {
        int byWeights = WeightBits.CompareTo(other.WeightBits);
        return byWeights != 0 ? byWeights : ActivationBits.CompareTo(other.ActivationBits);
    }

    /// <summary>Equality of both bit widths.</summary>
    public static bool operator ==(Precision left, Precision right) => left.Equals(right);

    /// <summary>Inequality of either bit width.</summary>
    public static bool operator !=(Precision left, Precision right) => !left.Equals(right);

    private static int CheckBits(int bits, string parameter) => IsValidBits(bits)
        ? bits
        : throw new ArgumentOutOfRangeException(parameter, bits,
            $"Bit width {bits} is not supported: expected 1 to {MaxQuantizedBits}, or {FullPrecisionBits} for full precision.");
}
