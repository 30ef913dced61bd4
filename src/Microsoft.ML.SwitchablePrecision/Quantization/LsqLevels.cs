namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>LSQ's integer level range (the public <c>Lsq.NegativeLevels</c> and <c>Lsq.PositiveLevels</c> of the training assembly).</summary>
internal static class LsqLevels
{
    /// <summary>Q_N: <c>2^(k-1)</c> for signed k &gt;= 2 bits, 1 for signed 1 bit (levels {-s, +s}), 0 for unsigned.</summary>
    public static int Negative(int bits, bool signed)
    {
        UniformLevels.Check(bits, nameof(bits));
        return !signed ? 0 : bits == 1 ? 1 : 1 << (bits - 1);
    }

    /// <summary>Q_P: <c>2^(k-1) - 1</c> for signed k &gt;= 2 bits, 1 for signed 1 bit, <c>2^k - 1</c> for unsigned.</summary>
    public static int Positive(int bits, bool signed)
    {
        UniformLevels.Check(bits, nameof(bits));
        return !signed ? UniformLevels.Steps(bits) : bits == 1 ? 1 : (1 << (bits - 1)) - 1;
    }
}
