namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Activations of <see cref="Int16Gemm"/>: <see cref="Columns"/> columns of activation levels widened to 16 bits
/// (<see cref="LevelWidening"/>), column-major: level <c>[k, p]</c> is <c>Levels[p * ColumnStride + k]</c>. A column
/// holds the weights' padded depth (a multiple of 2); the values past the true depth meet zero weights, so their
/// content does not matter. <see cref="Bits"/> bounds the levels (<c>0 &lt;= q &lt; 2^Bits</c>); the kernels trust it
/// and the reference checks it.
/// </summary>
internal readonly ref struct ShortColumns
{
    public ShortColumns(ReadOnlySpan<short> levels, int columns, int columnStride, int bits)
    {
        ActivationLevels.CheckBits(bits, nameof(bits));
        KernelChecks.Columns(levels.Length, columns, columnStride, 1, nameof(levels));
        Levels = levels;
        Columns = columns;
        ColumnStride = columnStride;
        Bits = bits;
    }

    /// <summary>The widened levels.</summary>
    public ReadOnlySpan<short> Levels { get; }

    /// <summary>Columns P.</summary>
    public int Columns { get; }

    /// <summary>Elements from one column to the next.</summary>
    public int ColumnStride { get; }

    /// <summary>Bits of the levels.</summary>
    public int Bits { get; }
}
