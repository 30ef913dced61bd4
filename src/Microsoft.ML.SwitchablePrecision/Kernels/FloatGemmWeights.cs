namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Weights of <see cref="FloatGemm"/>: a float matrix <c>[Rows, Depth]</c> in panels of <see cref="BlockRows"/> = 16
/// rows: <c>[16 rb + r, k]</c> is <c>Panel[(rb * Depth + k) * 16 + r]</c> (padding rows 0), so one 512-bit load
/// holds column k of a block, one lane per row, ready to multiply by a broadcast activation.
/// </summary>
internal sealed class FloatGemmWeights
{
    /// <summary>Rows per panel (one float lane per row in a 512-bit vector).</summary>
    public const int BlockRows = 16;

    private FloatGemmWeights(int rows, int depth)
    {
        Rows = rows;
        Depth = depth;
        RowBlocks = (rows + BlockRows - 1) / BlockRows;
        _panel = new AlignedPanel<float>((long)RowBlocks * depth * BlockRows);
    }

    /// <summary>Output rows M.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Panels of <see cref="BlockRows"/> rows.</summary>
    public int RowBlocks { get; }

    /// <summary>The packed panels (layout in the class summary).</summary>
    internal Span<float> Panel => _panel.Span;

    private readonly AlignedPanel<float> _panel;

    /// <summary>Bytes of the packed panels, padding included.</summary>
    public long PackedByteCount => (long)_panel.Length * sizeof(float);

    /// <summary>The weight <c>[row, k]</c>, read back.</summary>
    public float Weight(int row, int k) => Panel[((row / BlockRows) * Depth + k) * BlockRows + row % BlockRows];

    /// <summary>Packs a row-major matrix <c>[rows, depth]</c>.</summary>
    public static FloatGemmWeights FromMatrix(ReadOnlySpan<float> weights, int rows, int depth)
    {
        KernelChecks.Positive(rows, nameof(rows));
        KernelChecks.Positive(depth, nameof(depth));
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows * depth");
        var packed = new FloatGemmWeights(rows, depth);
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
                packed.Panel[((m / BlockRows) * depth + k) * BlockRows + m % BlockRows] = weights[m * depth + k];
        return packed;
    }
}
