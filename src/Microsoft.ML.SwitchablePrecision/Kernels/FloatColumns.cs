namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Float activations of <see cref="FloatGemm"/> and <see cref="SignAccumulateGemm"/>: <see cref="Columns"/> columns
/// of K values. Dense (column-major): <c>[k, p]</c> is <c>Values[p * ColumnStride + k]</c> (stride at least K).
/// Gathered (an implicit im2col): <c>[k, p]</c> is <c>Values[ColumnOffsets[p] + DepthOffsets[k]]</c>, so a
/// convolution reads its taps straight from a zero-padded channels-last image instead of a copy of every tap.
/// </summary>
internal readonly ref struct FloatColumns
{
    public FloatColumns(ReadOnlySpan<float> values, int columns, int columnStride, int depth)
    {
        KernelChecks.Positive(depth, nameof(depth));
        KernelChecks.Columns(values.Length, columns, columnStride, depth, nameof(values));
        Values = values;
        Columns = columns;
        ColumnStride = columnStride;
        Depth = depth;
    }

    private FloatColumns(ReadOnlySpan<float> values, ReadOnlySpan<int> columnOffsets, ReadOnlySpan<int> depthOffsets)
    {
        Values = values;
        Columns = columnOffsets.Length;
        Depth = depthOffsets.Length;
        ColumnOffsets = columnOffsets;
        DepthOffsets = depthOffsets;
    }

    /// <summary>
    /// Gathered columns: one per entry of <paramref name="columnOffsets"/>, value <c>k</c> of a column read at its
    /// offset plus <c>depthOffsets[k]</c>. Every value must lie inside <paramref name="values"/> (checked here).
    /// </summary>
    public static FloatColumns Gathered(ReadOnlySpan<float> values, ReadOnlySpan<int> columnOffsets, ReadOnlySpan<int> depthOffsets)
    {
        KernelChecks.Positive(columnOffsets.Length, nameof(columnOffsets));
        KernelChecks.Positive(depthOffsets.Length, nameof(depthOffsets));
        int lowColumn = int.MaxValue, highColumn = int.MinValue, lowDepth = int.MaxValue, highDepth = int.MinValue;
        foreach (int offset in columnOffsets) { lowColumn = Math.Min(lowColumn, offset); highColumn = Math.Max(highColumn, offset); }
        foreach (int offset in depthOffsets) { lowDepth = Math.Min(lowDepth, offset); highDepth = Math.Max(highDepth, offset); }
        if ((long)lowColumn + lowDepth < 0 || (long)highColumn + highDepth >= values.Length)
            throw new ArgumentException(
                $"gathered columns read values {(long)lowColumn + lowDepth} to {(long)highColumn + highDepth}; values hold {values.Length}.", nameof(values));
        return new FloatColumns(values, columnOffsets, depthOffsets);
    }

    public ReadOnlySpan<float> Values { get; }

    public int Columns { get; }

    /// <summary>Values between dense columns (0 when gathered).</summary>
    public int ColumnStride { get; }

    /// <summary>K, the values per column the kernel reads.</summary>
    public int Depth { get; }

    /// <summary>Where each gathered column starts (empty when dense).</summary>
    public ReadOnlySpan<int> ColumnOffsets { get; }

    /// <summary>Where each value of K lies within a gathered column (empty when dense).</summary>
    public ReadOnlySpan<int> DepthOffsets { get; }

    /// <summary>True for gathered columns.</summary>
    public bool IsGathered => !DepthOffsets.IsEmpty;

    /// <summary>The index in <see cref="Values"/> of <c>[k, p]</c>.</summary>
    public int Offset(int k, int p) => IsGathered ? ColumnOffsets[p] + DepthOffsets[k] : p * ColumnStride + k;

    /// <summary>Throws unless the weights' depth equals this one.</summary>
    public void CheckDepth(int weightDepth)
    {
        if (Depth != weightDepth)
            throw new ArgumentException($"activations have depth {Depth}; expected the weights' depth {weightDepth}.", "activations");
    }
}
