namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Weights of <see cref="BitSerialGemm"/>: a matrix <c>[Rows, Depth]</c> of 1- or 2-bit unsigned levels
/// <c>l = sum_c 2^c l_c</c>, each standing for the integer weight <c>Multiplier * l - Offset</c> (sign bits:
/// <c>2 l - 1 = +-1</c>; symmetric 2-bit DoReFa: <c>2 l - 3 in {-3, -1, 1, 3}</c>; signed 2-bit LSQ: <c>l - 2</c>).
/// <para>
/// Layout (<see cref="Panel"/>): rows in blocks of <see cref="BlockRows"/> = 8, the block count padded to an even
/// number (padding rows are 0). Word <c>w</c> (bits <c>64 w .. 64 w + 63</c> of K) of weight plane <c>c</c> of row
/// <c>8 rb + r</c> is <c>Panel[((rb * WordsPerPlane + w) * Bits + c) * 8 + r]</c>: the same word of 8 consecutive
/// rows is contiguous, so one 512-bit load holds it for a whole block (one vector lane per row). Bits past
/// <see cref="Depth"/> are 0.
/// </para>
/// </summary>
internal sealed class BitSerialWeights
{
    /// <summary>Rows per block of the panel (one 64-bit lane per row in a 512-bit vector).</summary>
    public const int BlockRows = 8;

    private BitSerialWeights(int rows, int depth, int bits, int multiplier, int offset)
    {
        Rows = rows;
        Depth = depth;
        Bits = bits;
        Multiplier = multiplier;
        Offset = offset;
        WordsPerPlane = BitRows.WordsFor(depth);
        RowBlocks = KernelChecks.PaddedBlocks(rows, BlockRows);
        _panel = new AlignedPanel<ulong>((long)RowBlocks * WordsPerPlane * bits * BlockRows);
    }

    /// <summary>Output rows M.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Weight bit planes, 1 or 2.</summary>
    public int Bits { get; }

    /// <summary>The integer weight is <c>Multiplier * level - Offset</c>.</summary>
    public int Multiplier { get; }

    /// <summary>The integer weight is <c>Multiplier * level - Offset</c>.</summary>
    public int Offset { get; }

    /// <summary>64-bit words per plane of a row: <c>ceil(Depth / 64)</c>; activations must use the same.</summary>
    public int WordsPerPlane { get; }

    /// <summary>Blocks of <see cref="BlockRows"/> rows in <see cref="Panel"/> (even, padding blocks zero).</summary>
    public int RowBlocks { get; }

    /// <summary>The packed words (layout in the class summary).</summary>
    internal Span<ulong> Panel => _panel.Span;

    private readonly AlignedPanel<ulong> _panel;

    /// <summary>Bytes of the packed panel, padding included.</summary>
    public long PackedByteCount => (long)_panel.Length * sizeof(ulong);

    /// <summary>Index in <see cref="Panel"/> of word <paramref name="word"/> of plane <paramref name="plane"/> of <paramref name="row"/>.</summary>
    public int WordIndex(int row, int plane, int word) =>
        (((row / BlockRows) * WordsPerPlane + word) * Bits + plane) * BlockRows + row % BlockRows;

    /// <summary>The level of <c>[row, k]</c>, read back from the panel.</summary>
    public int Level(int row, int k)
    {
        int level = 0;
        for (int c = 0; c < Bits; c++)
            level |= (int)((Panel[WordIndex(row, c, k >> 6)] >> (k & 63)) & 1) << c;
        return level;
    }

    /// <summary>The integer weight of <c>[row, k]</c>: <c>Multiplier * level - Offset</c>.</summary>
    public int Weight(int row, int k) => Multiplier * Level(row, k) - Offset;

    /// <summary>Sign bits of a row-major float matrix <c>[rows, depth]</c>: level 1 (weight +1) where <c>w &gt;= 0</c>, else -1.</summary>
    public static BitSerialWeights FromSigns(ReadOnlySpan<float> weights, int rows, int depth)
    {
        KernelChecks.Positive(rows, nameof(rows));
        KernelChecks.Positive(depth, nameof(depth));
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows * depth");
        var packed = new BitSerialWeights(rows, depth, 1, 2, 1);
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
                if (weights[m * depth + k] >= 0) packed.Panel[packed.WordIndex(m, 0, k >> 6)] |= 1UL << (k & 63);
        return packed;
    }

    /// <summary>
    /// Packs signed integer weights <c>[rows, depth]</c> of the form <c>multiplier * level - offset</c> with level 0..3
    /// (DoReFa 2-bit <c>{-3, -1, 1, 3}</c>: multiplier 2, offset 3; LSQ 2-bit <c>{-2, -1, 0, 1}</c>: 1, 2; signs
    /// <c>+-1</c>: 2, 1). Uses 1 bit when every level is 0 or 1, else 2; throws naming the first value off that grid.
    /// </summary>
    public static BitSerialWeights FromIntegers(ReadOnlySpan<int> weights, int rows, int depth, int multiplier, int offset)
    {
        KernelChecks.Positive(multiplier, nameof(multiplier));
        var levels = new byte[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            int shifted = weights[i] + offset;
            if (shifted < 0 || shifted % multiplier != 0 || shifted / multiplier > 3)
                throw new ArgumentException(
                    $"weights[{i}] is {weights[i]}; expected {multiplier} * level - {offset} with level 0..3.", nameof(weights));
            levels[i] = (byte)(shifted / multiplier);
        }
        int bits = levels.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)1) >= 0 ? 2 : 1;
        return FromLevels(levels, rows, depth, bits, multiplier, offset);
    }

    /// <summary>
    /// Packs a row-major level matrix <c>[rows, depth]</c> of <paramref name="bits"/>-bit levels (1 or 2 bits, each level
    /// 0 to 2^bits - 1) standing for the integer weights <c>multiplier * level - offset</c>.
    /// </summary>
    public static BitSerialWeights FromLevels(ReadOnlySpan<byte> levels, int rows, int depth, int bits, int multiplier, int offset)
    {
        KernelChecks.Positive(rows, nameof(rows));
        KernelChecks.Positive(depth, nameof(depth));
        if (bits is not (1 or 2))
            throw new ArgumentOutOfRangeException(nameof(bits), bits,
                $"Weight bit width {bits} is not served by the bit-serial kernel: expected 1 or 2 (wider weights use Int8Gemm).");
        KernelChecks.Length(levels.Length, (long)rows * depth, nameof(levels), "rows * depth");
        ActivationLevels.CheckRange(levels, bits, nameof(levels));
        var packed = new BitSerialWeights(rows, depth, bits, multiplier, offset);
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
            {
                int level = levels[m * depth + k];
                for (int c = 0; c < bits; c++)
                    packed.Panel[packed.WordIndex(m, c, k >> 6)] |= (ulong)((level >> c) & 1) << (k & 63);
            }
        return packed;
    }
}
