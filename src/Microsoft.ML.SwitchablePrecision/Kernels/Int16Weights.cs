namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Weights of <see cref="Int16Gemm"/>: a matrix <c>[Rows, Depth]</c> of 16-bit integers (for example DoReFa 8-bit
/// weights, the odd integers <c>2L - 255</c>, which do not fit s8). K is padded with zeros to <see cref="PaddedDepth"/>,
/// a multiple of 2.
/// <para>
/// Layout (<see cref="Panel"/>): rows in blocks of <see cref="BlockRows"/> = 8, the block count padded to an even
/// number (padding rows are 0); K in pairs. Weight <c>[8 rb + r, 2 j + i]</c> is <c>Panel[((rb * Pairs + j) * 8 + r) * 2 + i]</c>:
/// one 256-bit load holds a pair of 8 rows, one 32-bit lane per row, the operand shape of <c>vpmaddwd</c>.
/// </para>
/// </summary>
internal sealed class Int16Weights
{
    /// <summary>Rows per block (one 32-bit lane per row in a 256-bit vector).</summary>
    public const int BlockRows = 8;

    /// <summary>K values per 32-bit lane.</summary>
    public const int PairSize = 2;

    private readonly AlignedPanel<short> _panel;

    private Int16Weights(int rows, int depth)
    {
        Rows = rows;
        Depth = depth;
        Pairs = (depth + PairSize - 1) / PairSize;
        RowBlocks = KernelChecks.PaddedBlocks(rows, BlockRows);
        _panel = new AlignedPanel<short>((long)RowBlocks * Pairs * BlockRows * PairSize);
    }

    /// <summary>Output rows M.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Pairs of K.</summary>
    public int Pairs { get; }

    /// <summary>K rounded up to a multiple of 2: the length of an activation column the kernels read.</summary>
    public int PaddedDepth => Pairs * PairSize;

    /// <summary>Blocks of <see cref="BlockRows"/> rows in <see cref="Panel"/> (even, padding blocks zero).</summary>
    public int RowBlocks { get; }

    /// <summary>The packed weights (layout in the class summary).</summary>
    internal Span<short> Panel => _panel.Span;

    /// <summary>Bytes of the packed panel, padding included.</summary>
    public long PackedByteCount => (long)_panel.Length * sizeof(short);

    /// <summary>Index in <see cref="Panel"/> of <c>[row, k]</c>.</summary>
    public int Index(int row, int k) =>
        (((row / BlockRows) * Pairs + k / PairSize) * BlockRows + row % BlockRows) * PairSize + k % PairSize;

    /// <summary>Packs a row-major matrix <c>[rows, depth]</c>.</summary>
    public static Int16Weights FromValues(ReadOnlySpan<short> weights, int rows, int depth)
    {
        KernelChecks.Positive(rows, nameof(rows));
        KernelChecks.Positive(depth, nameof(depth));
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows * depth");
        var packed = new Int16Weights(rows, depth);
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++) packed.Panel[packed.Index(m, k)] = weights[m * depth + k];
        return packed;
    }
}
