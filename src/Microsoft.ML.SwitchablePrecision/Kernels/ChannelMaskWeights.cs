using System.Numerics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// 1-bit weights of <see cref="ChannelMaskConvolution"/>: a <c>KernelSize x KernelSize</c> convolution of
/// <see cref="Channels"/> input channels (at most the mask's bits), each weight a level <c>l in {0, 1}</c> standing
/// for the integer <c>Multiplier * l - Offset</c> (signs: <c>2 l - 1 = +-1</c>). Reduction order as the plan's
/// im2col: <c>k = (i * KernelSize + j) * Channels + c</c>.
/// <para>
/// Two copies of the level bits. <see cref="RowWords"/>: per output row and kernel row <c>i</c>,
/// <see cref="WordsPerKernelRow"/> 64-bit words whose bits <c>W j + c</c> (W the mask's bits) are the levels of tap
/// <c>(i, j)</c>: a kernel row of channel masks as 64-bit reads of the activations see it. <see cref="LowNibbles"/>
/// and <see cref="HighNibbles"/>: per group of 16 output rows, tap and 32-bit part of a mask, 16 32-bit lanes, lane
/// <c>r</c> holding that part of the tap's channel mask of row <c>16 g + r</c> (16-bit masks twice, one per half, for
/// two output pixels), split into the low nibble of each byte and the high nibble moved down (the indices of a
/// nibble-lookup popcount); rows past <see cref="Rows"/> are 0. The carry-save form
/// (<see cref="ChannelMaskAvx512Form.CarrySave"/>) puts each tap's whole bytes back together once per group.
/// </para>
/// </summary>
/// <typeparam name="TMask">The activations' mask type (<see cref="ChannelMaskLayout{TMask}"/>).</typeparam>
internal sealed class ChannelMaskWeights<TMask>
    where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
{
    /// <summary>Output rows per lane group.</summary>
    public const int GroupRows = 16;

    private readonly ulong[] _rowWords;
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
        WordsPerKernelRow = (kernelSize * ChannelMaskWidth<TMask>.Bits + 63) / 64;
        int used = kernelSize * ChannelMaskWidth<TMask>.Bits % 64;
        LastWordBits = used == 0 ? ulong.MaxValue : (1UL << used) - 1;
        _rowWords = new ulong[rows * kernelSize * WordsPerKernelRow];
        long lanes = (long)Groups * Taps * ChannelMaskWidth<TMask>.LaneParts * GroupRows;
        _low = new AlignedPanel<uint>(lanes);
        _high = new AlignedPanel<uint>(lanes);
    }

    /// <summary>Largest kernel (<see cref="ChannelMaskWidth{TMask}.MaxKernelSize"/>).</summary>
    public static int MaxKernelSize => ChannelMaskWidth<TMask>.MaxKernelSize;

    /// <summary>Output rows M (output channels).</summary>
    public int Rows { get; }

    /// <summary>Input channels C, 1 to the mask's bits.</summary>
    public int Channels { get; }

    /// <summary>Kernel rows and columns, 1 to <see cref="MaxKernelSize"/>.</summary>
    public int KernelSize { get; }

    /// <summary>Kernel taps.</summary>
    public int Taps => KernelSize * KernelSize;

    /// <summary>Reduction length K.</summary>
    public int Depth => Taps * Channels;

    /// <summary>Groups of <see cref="GroupRows"/> rows in <see cref="LowNibbles"/>.</summary>
    public int Groups { get; }

    /// <summary>64-bit words of one kernel row of masks.</summary>
    public int WordsPerKernelRow { get; }

    /// <summary>The bits of a kernel row's last word that belong to the row (the rest are the next pixels' masks).</summary>
    public ulong LastWordBits { get; }

    /// <summary>The integer weight is <c>Multiplier * level - Offset</c>.</summary>
    public int Multiplier { get; }

    /// <summary>The integer weight is <c>Multiplier * level - Offset</c>.</summary>
    public int Offset { get; }

    /// <summary>Kernel-row words, <c>[Rows, KernelSize, WordsPerKernelRow]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<ulong> RowWords => _rowWords;

    /// <summary>Vector lanes of the low nibbles, <c>[Groups, Taps, parts, 16]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<uint> LowNibbles => _low.Span;

    /// <summary>Vector lanes of the high nibbles moved down, <c>[Groups, Taps, parts, 16]</c> (layout in the class summary).</summary>
    internal ReadOnlySpan<uint> HighNibbles => _high.Span;

    /// <summary>Bytes of both copies.</summary>
    public long PackedByteCount => (long)_rowWords.Length * sizeof(ulong) + 2L * _low.Length * sizeof(uint);

    /// <summary>The level of <c>[row, k]</c>, read back from <see cref="RowWords"/>.</summary>
    public int Level(int row, int k)
    {
        int tap = k / Channels, bit = ChannelMaskWidth<TMask>.Bits * (tap % KernelSize) + k % Channels;
        return (int)(_rowWords[(row * KernelSize + tap / KernelSize) * WordsPerKernelRow + bit / 64] >> (bit % 64)) & 1;
    }

    /// <summary>True when the kernel takes a layer of these dimensions.</summary>
    public static bool Serves(int channels, int kernelSize) =>
        channels >= 1 && channels <= ChannelMaskWidth<TMask>.Bits && kernelSize >= 1 && kernelSize <= MaxKernelSize;

    /// <summary>
    /// Packs integer weights <paramref name="weights"/> (row-major <c>[rows, kernelSize^2 * channels]</c>), each of
    /// which must be <c>multiplier * l - offset</c> with <c>l</c> 0 or 1.
    /// </summary>
    public static ChannelMaskWeights<TMask> FromIntegers(ReadOnlySpan<int> weights, int rows, int channels, int kernelSize, int multiplier, int offset)
    {
        ChannelMaskWidth<TMask>.CheckSupported();
        KernelChecks.Positive(rows, nameof(rows));
        int width = ChannelMaskWidth<TMask>.Bits, parts = ChannelMaskWidth<TMask>.LaneParts;
        if (!Serves(channels, 1))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels is {channels}; expected 1 to {width}.");
        if (!Serves(1, kernelSize))
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"kernelSize is {kernelSize}; expected 1 to {MaxKernelSize}.");
        KernelChecks.Positive(multiplier, nameof(multiplier));
        var packed = new ChannelMaskWeights<TMask>(rows, channels, kernelSize, multiplier, offset);
        int depth = packed.Depth, taps = packed.Taps, words = packed.WordsPerKernelRow;
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows x kernelSize^2 x channels");
        var tapMasks = new ulong[taps];
        for (int m = 0; m < rows; m++)
        {
            Array.Clear(tapMasks);
            for (int k = 0; k < depth; k++)
            {
                int weight = weights[m * depth + k], level = (weight + offset) / multiplier;
                if (level is not (0 or 1) || multiplier * level - offset != weight)
                    throw new ArgumentException(
                        $"weight [{m}, {k}] is {weight}; expected {-offset} or {multiplier - offset} (multiplier {multiplier} x level 0 or 1 - offset {offset}).",
                        nameof(weights));
                if (level == 0) continue;
                int tap = k / channels, bit = width * (tap % kernelSize) + k % channels;
                tapMasks[tap] |= 1UL << (k % channels);
                packed._rowWords[(m * kernelSize + tap / kernelSize) * words + bit / 64] |= 1UL << (bit % 64);
            }
            for (int t = 0; t < taps; t++)
                for (int part = 0; part < parts; part++)
                {
                    // A 32-bit lane: 16-bit masks twice (two pixels), 32-bit masks once, 64-bit masks one half per part.
                    uint lane = width == 16 ? (uint)tapMasks[t] * 0x10001u : (uint)(tapMasks[t] >> (32 * part));
                    int at = (((m / GroupRows) * taps + t) * parts + part) * GroupRows + m % GroupRows;
                    packed._low.Span[at] = lane & 0x0F0F0F0Fu;
                    packed._high.Span[at] = (lane >> 4) & 0x0F0F0F0Fu;
                }
        }
        return packed;
    }
}
