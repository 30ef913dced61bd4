namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>Integer grid sizes of k-bit quantizers.</summary>
internal static class UniformLevels
{
    /// <summary>True when <paramref name="bits"/> means full precision (no quantization).</summary>
    public static bool IsFullPrecision(int bits) => bits >= Precision.FullPrecisionBits;

    /// <summary>Number of steps of an unsigned k-bit grid: <c>2^k - 1</c>.</summary>
    public static int Steps(int bits) => (1 << bits) - 1;

    /// <summary>Checks a bit width given to a quantizer.</summary>
    public static void Check(int bits, string parameter)
    {
        if (!Precision.IsValidBits(bits))
            throw new ArgumentOutOfRangeException(parameter, bits,
                $"Bit width {bits} is not supported: expected 1 to {Precision.MaxQuantizedBits}, or {Precision.FullPrecisionBits} for full precision.");
    }
}
