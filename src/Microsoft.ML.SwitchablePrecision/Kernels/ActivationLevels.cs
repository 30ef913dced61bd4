using Microsoft.ML.SwitchablePrecision.Quantization;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Integer levels of k-bit DoReFa activations (<see cref="DoReFaFamily.ActivationLevelRule"/>:
/// <c>q = round(n * clamp(x, 0, 1))</c> with <c>n = 2^k - 1</c>), so the quantized activation is <c>q / n</c>. The
/// packed kernels work on the levels and apply <c>1 / n</c> once at the end.
/// </summary>
internal static class ActivationLevels
{
    /// <summary>Largest activation bit width the packed kernels accept (levels are stored in bytes).</summary>
    public const int MaxBits = 8;

    /// <summary>Throws unless <paramref name="bits"/> is 1 to <see cref="MaxBits"/>.</summary>
    public static void CheckBits(int bits, string parameter)
    {
        if (bits < 1 || bits > MaxBits)
            throw new ArgumentOutOfRangeException(parameter, bits,
                $"Activation bit width {bits} is not supported by the packed kernels: expected 1 to {MaxBits}.");
    }

    /// <summary>
    /// Writes DoReFa's level <c>round(n * clamp(x, 0, 1))</c> (round half to even, as PyTorch) for every element, the
    /// same grid as <c>DoReFa.QuantizeActivations</c> (training assembly).
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> activations, int bits, Span<byte> levels)
    {
        CheckBits(bits, nameof(bits));
        if (levels.Length != activations.Length)
            throw new ArgumentException(
                $"levels has {levels.Length} elements; expected {activations.Length}, one per activation.", nameof(levels));
        ActivationLevelLoop.Write(DoReFaFamily.ActivationLevelRule(bits), activations, levels);
    }

    /// <summary>Throws if any level exceeds <c>2^bits - 1</c>, naming the first offending index.</summary>
    public static void CheckRange(ReadOnlySpan<byte> levels, int bits, string parameter)
    {
        int steps = UniformLevels.Steps(bits);
        int first = levels.IndexOfAnyExceptInRange((byte)0, (byte)steps);
        if (first >= 0)
            throw new ArgumentException(
                $"{parameter}[{first}] is {levels[first]}; expected a {bits}-bit level in 0..{steps}.", parameter);
    }
}
