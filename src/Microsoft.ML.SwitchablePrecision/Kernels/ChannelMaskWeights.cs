namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// 1-bit weights of <see cref="ChannelMaskConvolution"/>: a <c>KernelSize x KernelSize</c> convolution of
/// <see cref="Channels"/> &lt;= 16 input channels, each weight a level <c>l in {0, 1}</c> standing for the integer
/// <c>Multiplier * l - Offset</c> (signs: <c>2 l - 1 = +-1</c>). Reduction order as the plan's im2col:
/// <c>k = (i * KernelSize + j) * Channels + c</c>.
/// <para>
/// Two copies of the level bits. <see cref="RowMasks"/>: per output row and kernel row <c>i</c>, one word whose bits
/// <c>16 j + c</c> are the levels of tap <c>(i, j)</c> (a kernel row of channel masks, as one 64-bit read of the
/// activations sees it). <see cref="LowNibbles"/> and <see cref="HighNibbles"/>: per group of 16 output rows and
/// tap, 16 32-bit lanes, lane <c>r</c> holding the tap's channel mask of row <c>16 g + r</c> in both halves (one
/// vector lane per output row, the two halves for two output pixels), split into the low nibble of each byte and
/// the high nibble moved down (the indices of a nibble-lookup popcount); rows past <see cref="Rows"/> are 0.
/// </para>
/// </summary>
internal sealed class ChannelMaskWeights
{
    /// <summary>Output rows per lane group.</summary>
    public const int GroupRows = 16;

    /// <summary>Largest kernel: a kernel row of masks must fit one 64-bit word.</summary>
    public const int MaxKernelSize = 4;

    private readonly ulong[] _rowMasks;
    private readonly AlignedPanel<uint> _low;
    private readonly AlignedPanel<uint> _high;

    private ChannelMaskWeights(int rows, int channels, int kernelSize, int multiplier, int offset)
    {
        Rows = rows;
        Channels = channels;
        KernelSize = kernelSize;
        Multiplier = multiplier;
        Offset = offset;
        Groups = (rows + GroupRows - 1) / GroupRows;
        _rowMasks = new ulong[rows * kernelSize];
        _low = new AlignedPanel<uint>((long)Groups * Taps * GroupRows);
        _high = new AlignedPanel<uint>((long)Groups * Taps * GroupRows);
    }

    /// <summary>Output rows M (output channels).</summary>
    public int Rows { get; }

    /// <summary>Input channels C, 1 to 16.</summary>
    public int Channels { get; }

    /// <summary>Kernel rows and columns, 1 to <see cref="MaxKernelSize"/>.</summary>
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

    /// <summary>Kernel-row masks, <c>[Rows, KernelSize]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<ulong> RowMasks => _rowMasks;

    /// <summary>Vector lanes of the low nibbles, <c>[Groups, Taps, 16]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<uint> LowNibbles => _low.Span;

    /// <summary>Vector lanes of the high nibbles moved down, <c>[Groups, Taps, 16]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<uint> HighNibbles => _high.Span;

    /// <summary>Bytes of both copies.</summary>
    public long PackedByteCount => (long)_rowMasks.Length * sizeof(ulong) + 2L * _low.Length * sizeof(uint);

    /// <summary>The level of <c>[row, k]</c>, read back from <see cref="RowMasks"/>.</summary>
    public int Level(int row, int k)
    {
        int tap = k / Channels, c = k % Channels;
        return (int)(_rowMasks[row * KernelSize + tap / KernelSize] >> (16 * (tap % KernelSize) + c)) & 1;
    }

    /// <summary>True when the kernel takes a layer of these dimensions.</summary>
    public static bool Serves(int channels, int kernelSize) =>
        channels is >= 1 and <= ChannelMaskLayout.MaxChannels && kernelSize is >= 1 and <= MaxKernelSize;

    /// <summary>
    /// Packs integer weights <paramref name="weights"/> (row-major <c>[rows, kernelSize^2 * channels]</c>), each of
    /// which must be <c>multiplier * l - offset</c> with <c>l</c> 0 or 1.
    /// </summary>
    public static ChannelMaskWeights FromIntegers(ReadOnlySpan<int> weights, int rows, int channels, int kernelSize, int multiplier, int offset)
    {
        KernelChecks.Positive(rows, nameof(rows));
        if (!Serves(channels, 1))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels is {channels}; expected 1 to {ChannelMaskLayout.MaxChannels}.");
        if (!Serves(1, kernelSize))
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"kernelSize is {kernelSize}; expected 1 to {MaxKernelSize}.");
        KernelChecks.Positive(multiplier, nameof(multiplier));
        var packed = new ChannelMaskWeights(rows, channels, kernelSize, multiplier, offset);
        int depth = packed.Depth;
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows x kernelSize^2 x channels");
        var lanes = new uint[packed._low.Length];
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
            {
                int weight = weights[m * depth + k], level = (weight + offset) / multiplier;
                if (level is not (0 or 1) || multiplier * level - offset != weight)
                    throw new ArgumentException(
                        $"weight [{m}, {k}] is {weight}; expected {-offset} or {multiplier - offset} (multiplier {multiplier} x level 0 or 1 - offset {offset}).",
                        nameof(weights));
                if (level == 0) continue;
                int tap = k / channels, c = k % channels;
                packed._rowMasks[m * kernelSize + tap / kernelSize] |= 1UL << (16 * (tap % kernelSize) + c);
                lanes[((m / GroupRows) * packed.Taps + tap) * GroupRows + m % GroupRows] |= 0x10001u << c;
            }
        for (int i = 0; i < lanes.Length; i++)
        {
            packed._low.Span[i] = lanes[i] & 0x0F0F0F0Fu;
            packed._high.Span[i] = (lanes[i] >> 4) & 0x0F0F0F0Fu;
        }
        return packed;
    }
}
