namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Weights of <see cref="Int8Gemm"/>: a matrix <c>[Rows, Depth]</c> of signed 8-bit integers (levels of 3- to 8-bit
/// weights, e.g. LSQ <c>-2^(b-1)..2^(b-1)-1</c> or DoReFa <c>l - 2^(b-1)</c> with the offset folded into the
/// output stage). K is padded with zeros to <see cref="PaddedDepth"/>, a multiple of 4.
/// <para>
/// Layout (<see cref="Panel"/>): rows in blocks of <see cref="BlockRows"/> = 8, the block count padded to an even
/// number (padding rows are 0); K in quads of 4. Weight <c>[8 rb + r, 4 q + i]</c> is
/// <c>Panel[((rb * Quads + q) * 8 + r) * 4 + i]</c>: one 256-bit load holds a quad of 8 rows, one 32-bit lane per
/// row, the operand shape of <c>vpdpbusd</c>.
/// </para>
/// </summary>
internal sealed class Int8Weights
{
    /// <summary>Rows per block (one 32-bit lane per row in a 256-bit vector).</summary>
    public const int BlockRows = 8;

    /// <summary>K values per 32-bit lane.</summary>
    public const int QuadSize = 4;

    private Int8Weights(int rows, int depth)
    {
        Rows = rows;
        Depth = depth;
        Quads = (depth + QuadSize - 1) / QuadSize;
        RowBlocks = KernelChecks.PaddedBlocks(rows, BlockRows);
        _panel = new AlignedPanel<sbyte>((long)RowBlocks * Quads * BlockRows * QuadSize);
    }

    /// <summary>Output rows M.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>K rounded up to a multiple of 4: the length of an activation column the kernels read.</summary>
    public int PaddedDepth => Quads * QuadSize;

    /// <summary>The padded depth (K rounded up to a multiple of 4) weights of depth <paramref name="depth"/> get.</summary>
    public static int PaddedDepthFor(int depth) => (depth + QuadSize - 1) / QuadSize * QuadSize;

    /// <summary>Quads of K.</summary>
    public int Quads { get; }

    /// <summary>Blocks of <see cref="BlockRows"/> rows in <see cref="Panel"/> (even, padding blocks zero).</summary>
    public int RowBlocks { get; }

    /// <summary>Largest <c>|w|</c>; at most 64 lets the AVX2 variant use its pair sums at 8-bit levels (see <see cref="Int8Gemm"/>).</summary>
    public int MaxMagnitude { get; private set; }

    /// <summary>The packed weights (layout in the class summary).</summary>
    internal Span<sbyte> Panel => _panel.Span;

    private readonly AlignedPanel<sbyte> _panel;

    /// <summary>Bytes of the packed panel, padding included.</summary>
    public long PackedByteCount => (long)_panel.Length;

    /// <summary>Index in <see cref="Panel"/> of <c>[row, k]</c>.</summary>
    public int Index(int row, int k) =>
        (((row / BlockRows) * Quads + k / QuadSize) * BlockRows + row % BlockRows) * QuadSize + k % QuadSize;

    /// <summary>The weight <c>[row, k]</c>, read back.</summary>
    public int Weight(int row, int k) => Panel[Index(row, k)];

    /// <summary>Packs a row-major matrix <c>[rows, depth]</c>.</summary>
    public static Int8Weights FromValues(ReadOnlySpan<sbyte> weights, int rows, int depth)
    {
        KernelChecks.Positive(rows, nameof(rows));
        KernelChecks.Positive(depth, nameof(depth));
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows * depth");
        var packed = new Int8Weights(rows, depth);
        int max = 0;
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
            {
                sbyte w = weights[m * depth + k];
                packed.Panel[packed.Index(m, k)] = w;
                max = Math.Max(max, Math.Abs((int)w));
            }
        packed.MaxMagnitude = max;
        return packed;
    }
}
