namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Float activations of <see cref="FloatGemm"/> and <see cref="SignAccumulateGemm"/>: <see cref="Columns"/> columns
/// of K values, column-major: <c>[k, p]</c> is <c>Values[p * ColumnStride + k]</c> (stride at least K).
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

    public ReadOnlySpan<float> Values { get; }

    public int Columns { get; }

    public int ColumnStride { get; }

    /// <summary>K, the values per column the kernel reads.</summary>
    public int Depth { get; }

    /// <summary>Throws unless the weights' depth equals this one.</summary>
    public void CheckDepth(int weightDepth)
    {
        if (Depth != weightDepth)
            throw new ArgumentException($"activations have depth {Depth}; expected the weights' depth {weightDepth}.", "activations");
    }
}
