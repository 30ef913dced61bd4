namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Activations of <see cref="Int8Gemm"/>: <see cref="Columns"/> columns of unsigned 8-bit levels, column-major:
/// level <c>[k, p]</c> is <c>Levels[p * ColumnStride + k]</c>. A column holds the weights' padded depth (a multiple
/// of 4); the bytes past the true depth meet zero weights, so their content does not matter. <see cref="Bits"/>
/// bounds the levels (<c>q &lt; 2^Bits</c>); the kernels trust it and the reference checks it.
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

    public ReadOnlySpan<byte> Levels { get; }

    public int Columns { get; }

    public int ColumnStride { get; }

    /// <summary>Activation bit width, 1 to 8.</summary>
    public int Bits { get; }
}
