namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Weights of <see cref="SignAccumulateGemm"/> (BinaryConnect, W1A32): the signs of a matrix <c>[Rows, Depth]</c>,
/// +1 where <c>w &gt;= 0</c> and -1 elsewhere, one bit each (the layer scale stays with the caller).
/// <para>
/// Layout (<see cref="Masks"/>): rows in blocks of <see cref="BlockRows"/> = 16; <c>Masks[rb * Depth + k]</c> has bit
/// <c>r</c> set where the weight of row <c>16 rb + r</c> at <c>k</c> is negative (padding rows: 0, i.e. +1, and never
/// stored). One 16-bit mask is what the kernel turns into the sign-bit vector of 16 float lanes (one per row).
/// </para>
/// </summary>
internal sealed class SignWeights
{
    /// <summary>Rows per block (one float lane per row in a 512-bit vector).</summary>
    public const int BlockRows = 16;

    private SignWeights(int rows, int depth)
    {
        Rows = rows;
        Depth = depth;
        RowBlocks = (rows + BlockRows - 1) / BlockRows;
        Masks = new ushort[(long)RowBlocks * depth];
    }

    /// <summary>Output rows M.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Blocks of <see cref="BlockRows"/> rows.</summary>
    public int RowBlocks { get; }

    /// <summary>The negative-sign masks (layout in the class summary).</summary>
    internal ushort[] Masks { get; }

    /// <summary>Bytes of the packed masks.</summary>
    public long PackedByteCount => Masks.LongLength * sizeof(ushort);

    /// <summary>+1 or -1, read back.</summary>
    public int Sign(int row, int k) => ((Masks[(row / BlockRows) * Depth + k] >> (row % BlockRows)) & 1) == 1 ? -1 : 1;

    /// <summary>Packs the signs of a row-major float matrix <c>[rows, depth]</c>.</summary>
    public static SignWeights FromSigns(ReadOnlySpan<float> weights, int rows, int depth)
    {
        KernelChecks.Positive(rows, nameof(rows));
        KernelChecks.Positive(depth, nameof(depth));
        KernelChecks.Length(weights.Length, (long)rows * depth, nameof(weights), "rows * depth");
        var packed = new SignWeights(rows, depth);
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
                if (weights[m * depth + k] < 0) packed.Masks[(m / BlockRows) * depth + k] |= (ushort)(1 << (m % BlockRows));
        return packed;
    }
}
