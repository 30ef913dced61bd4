namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// 1-bit weights of <see cref="WideChannelMaskConvolution"/>: a <c>KernelSize x KernelSize</c> convolution of
/// <see cref="Channels"/> &lt;= 32 input channels, each weight a level <c>l in {0, 1}</c> standing for the integer
/// <c>Multiplier * l - Offset</c> (signs: <c>2 l - 1 = +-1</c>). Reduction order as the plan's im2col:
/// <c>k = (i * KernelSize + j) * Channels + c</c>.
/// <para>
/// Two copies of the level bits. <see cref="TapMasks"/>: per output row and tap one 32-bit channel mask (what the
/// scalar variant ANDs with an activation mask). <see cref="LowNibbles"/> and <see cref="HighNibbles"/>: per group of
/// 16 output rows and tap, 16 32-bit lanes, lane <c>r</c> holding the tap's channel mask of row <c>16 g + r</c>, split
/// into the low nibble of each byte and the high nibble moved down (the indices of a nibble-lookup popcount); rows past
/// <see cref="Rows"/> are 0.
/// </para>
/// </summary>
internal sealed class WideChannelMaskWeights
{
    /// <summary>Output rows per lane group.</summary>
    public const int GroupRows = 16;

    /// <summary>Largest kernel: the vector variant counts a plane's taps in bytes, 8 per tap, below 256.</summary>
    public const int MaxKernelSize = 5;

    private readonly uint[] _tapMasks;
    private readonly AlignedPanel<uint> _low;
    private readonly AlignedPanel<uint> _high;

    private WideChannelMaskWeights(int rows, int channels, int kernelSize, int multiplier, int offset)
    {
        Rows = rows;
        Channels = channels;
        KernelSize = kernelSize;
        Multiplier = multiplier;
        Offset = offset;
        Groups = (rows + GroupRows - 1) / GroupRows;
        _tapMasks = new uint[rows * Taps];
        _low = new AlignedPanel<uint>((long)Groups * Taps * GroupRows);
        _high = new AlignedPanel<uint>((long)Groups * Taps * GroupRows);
    }

    /// <summary>Output rows M.</summary>
    public int Rows { get; }

    /// <summary>Input channels, 1 to <see cref="WideChannelMaskLayout.MaxChannels"/>.</summary>
    public int Channels { get; }

    /// <summary>Kernel side, 1 to <see cref="MaxKernelSize"/>.</summary>
    public int KernelSize { get; }

    /// <summary>Kernel taps.</summary>
    public int Taps => KernelSize * KernelSize;

    /// <summary>Reduction length K.</summary>
    public int Depth => Taps * Channels;

    /// <summary>Groups of <see cref="GroupRows"/> rows in <see cref="LowNibbles"/>.</summary>
    public int Groups { get; }

    /// <summary>The integer weight is <c>Multiplier * level - Offset</c>.</summary>
    public int Multiplier { get; }

    /// <summary>The integer weight is <c>Multiplier * level - Offset</c>.</summary>
    public int Offset { get; }

    /// <summary>Channel masks per output row and tap, <c>[Rows, Taps]</c>.</summary>
    internal ReadOnlySpan<uint> TapMasks => _tapMasks;

    /// <summary>Vector lanes of the low nibbles, <c>[Groups, Taps, 16]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<uint> LowNibbles => _low.Span;

    /// <summary>Vector lanes of the high nibbles moved down, <c>[Groups, Taps, 16]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<uint> HighNibbles => _high.Span;

    /// <summary>Bytes of both copies.</summary>
    public long PackedByteCount => (long)_tapMasks.Length * sizeof(uint) + 2L * _low.Length * sizeof(uint);

    /// <summary>The level of <c>[row, k]</c>, read back from <see cref="TapMasks"/>.</summary>
    public int Level(int row, int k) => (int)(_tapMasks[row * Taps + k / Channels] >> (k % Channels)) & 1;

    /// <summary>True when the kernel takes a layer of these dimensions.</summary>
    public static bool Serves(int channels, int kernelSize) =>
        channels is >= 1 and <= WideChannelMaskLayout.MaxChannels && kernelSize is >= 1 and <= MaxKernelSize;

    /// <summary>
    /// Packs integer weights <paramref name="weights"/> (row-major <c>[rows, kernelSize^2 * channels]</c>), each of
    /// which must be <c>multiplier * l - offset</c> with <c>l</c> 0 or 1.
    /// </summary>
    public static WideChannelMaskWeights FromIntegers(ReadOnlySpan<int> weights, int rows, int channels, int kernelSize, int multiplier, int offset)
    {
        KernelChecks.Positive(rows, nameof(rows));
        if (!Serves(channels, 1))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels is {channels}; expected 1 to {WideChannelMaskLayout.MaxChannels}.");
        if (!Serves(1, kernelSize))
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"kernelSize is {kernelSize}; expected 1 to {MaxKernelSize}.");
        KernelChecks.Positive(multiplier, nameof(multiplier));
        var packed = new WideChannelMaskWeights(rows, channels, kernelSize, multiplier, offset);
        int depth = packed.Depth, taps = packed.Taps;
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows x kernelSize^2 x channels");
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
            {
                int weight = weights[m * depth + k], level = (weight + offset) / multiplier;
                if (level is not (0 or 1) || multiplier * level - offset != weight)
                    throw new ArgumentException(
                        $"weight [{m}, {k}] is {weight}; expected {-offset} or {multiplier - offset} (multiplier {multiplier} x level 0 or 1 - offset {offset}).",
                        nameof(weights));
                if (level == 1) packed._tapMasks[m * taps + k / channels] |= 1u << (k % channels);
            }
        for (int m = 0; m < rows; m++)
            for (int t = 0; t < taps; t++)
            {
                uint mask = packed._tapMasks[m * taps + t];
                int lane = ((m / GroupRows) * taps + t) * GroupRows + m % GroupRows;
                packed._low.Span[lane] = mask & 0x0F0F0F0Fu;
                packed._high.Span[lane] = (mask >> 4) & 0x0F0F0F0Fu;
            }
        return packed;
    }
}
