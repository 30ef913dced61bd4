namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Activations of <see cref="Int8Gemm"/>: <see cref="Columns"/> columns of unsigned 8-bit levels. Dense (column-major):
/// level <c>[k, p]</c> is <c>Levels[p * ColumnStride + k]</c>. Gathered (an implicit im2col): quad <c>k / 4</c> of
/// column <c>p</c> starts at <c>Levels[ColumnOffsets[p] + QuadOffsets[k / 4]]</c>, so a convolution reads its taps
/// straight from a zero-padded channels-last image. A column holds the weights' padded depth (a multiple of 4); the
/// bytes past the true depth meet zero weights, so their content does not matter. <see cref="Bits"/> bounds the
/// levels (<c>q &lt; 2^Bits</c>); the kernels trust it and the reference checks it.
/// </summary>
internal readonly ref struct ByteColumns
{
    public ByteColumns(ReadOnlySpan<byte> levels, int columns, int columnStride, int bits)
    {
        ActivationLevels.CheckBits(bits, nameof(bits));
        KernelChecks.Columns(levels.Length, columns, columnStride, 1, nameof(levels));
        Levels = levels;
        Columns = columns;
        ColumnStride = columnStride;
        Bits = bits;
    }

    private ByteColumns(ReadOnlySpan<byte> levels, ReadOnlySpan<int> columnOffsets, ReadOnlySpan<int> quadOffsets, int bits)
    {
        Levels = levels;
        Columns = columnOffsets.Length;
        ColumnOffsets = columnOffsets;
        QuadOffsets = quadOffsets;
        Bits = bits;
    }

    /// <summary>
    /// Gathered columns: one per entry of <paramref name="columnOffsets"/>, quad <c>q</c> of a column read at its
    /// offset plus <c>quadOffsets[q]</c>. Every quad must lie inside <paramref name="levels"/> (checked here).
    /// </summary>
    public static ByteColumns Gathered(ReadOnlySpan<byte> levels, ReadOnlySpan<int> columnOffsets, ReadOnlySpan<int> quadOffsets, int bits)
    {
        ActivationLevels.CheckBits(bits, nameof(bits));
        KernelChecks.Positive(columnOffsets.Length, nameof(columnOffsets));
        KernelChecks.Positive(quadOffsets.Length, nameof(quadOffsets));
        int lowColumn = int.MaxValue, highColumn = int.MinValue, lowQuad = int.MaxValue, highQuad = int.MinValue;
        foreach (int offset in columnOffsets) { lowColumn = Math.Min(lowColumn, offset); highColumn = Math.Max(highColumn, offset); }
        foreach (int offset in quadOffsets) { lowQuad = Math.Min(lowQuad, offset); highQuad = Math.Max(highQuad, offset); }
        if ((long)lowColumn + lowQuad < 0 || (long)highColumn + highQuad + Int8Weights.QuadSize > levels.Length)
            throw new ArgumentException(
                $"gathered columns read bytes {(long)lowColumn + lowQuad} to {(long)highColumn + highQuad + Int8Weights.QuadSize - 1}; levels hold {levels.Length}.",
                nameof(levels));
        return new ByteColumns(levels, columnOffsets, quadOffsets, bits);
    }

    public ReadOnlySpan<byte> Levels { get; }

    public int Columns { get; }

    /// <summary>Bytes between dense columns (0 when gathered).</summary>
    public int ColumnStride { get; }

    /// <summary>Where each gathered column starts (empty when dense).</summary>
    public ReadOnlySpan<int> ColumnOffsets { get; }

    /// <summary>Where each quad of K starts within a gathered column (empty when dense).</summary>
    public ReadOnlySpan<int> QuadOffsets { get; }

    /// <summary>True for gathered columns.</summary>
    public bool IsGathered => !QuadOffsets.IsEmpty;

    /// <summary>Activation bit width, 1 to 8.</summary>
    public int Bits { get; }

    /// <summary>Where column <paramref name="p"/> starts in <see cref="Levels"/>.</summary>
    public int ColumnStart(int p) => IsGathered ? ColumnOffsets[p] : p * ColumnStride;

    /// <summary>Where quad <paramref name="q"/> of K starts within a column.</summary>
    public int QuadStart(int q) => IsGathered ? QuadOffsets[q] : q * Int8Weights.QuadSize;

    /// <summary>The index in <see cref="Levels"/> of level <c>[k, p]</c>.</summary>
    public int Offset(int k, int p) => ColumnStart(p) + QuadStart(k / Int8Weights.QuadSize) + k % Int8Weights.QuadSize;
}
