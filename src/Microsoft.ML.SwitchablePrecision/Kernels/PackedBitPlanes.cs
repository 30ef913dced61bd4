using System.Numerics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// k-bit activation levels of a matrix <c>[Depth, Columns]</c> (K rows, one column per output position) stored as
/// bit planes: level <c>q = sum_b 2^b q_b</c>, and plane <c>b</c> of column <c>p</c> holds the bits <c>q_b[k, p]</c> for
/// all k in <see cref="WordsPerPlane"/> 64-bit words (padding bits 0). Layout: column-major, then plane, then word,
/// so one column's planes are contiguous: word <c>w</c> of plane <c>b</c> of column <c>p</c> is
/// <c>Words[(p * Bits + b) * WordsPerPlane + w]</c>. <see cref="ColumnSums"/> caches <c>sum_k q[k, p]</c>, the term the
/// binary GEMM subtracts.
/// </summary>
internal sealed class PackedBitPlanes
{
    /// <summary>Allocates zeroed planes.</summary>
    public PackedBitPlanes(int depth, int columns, int bits)
    {
        if (depth <= 0) throw new ArgumentOutOfRangeException(nameof(depth), depth, $"depth is {depth}; expected a positive size.");
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, $"columns is {columns}; expected a positive size.");
        ActivationLevels.CheckBits(bits, nameof(bits));
        Depth = depth;
        Columns = columns;
        Bits = bits;
        WordsPerPlane = BitRows.WordsFor(depth);
        Words = new ulong[(long)columns * bits * WordsPerPlane];
        ColumnSums = new int[columns];
    }

    /// <summary>Reduction length K.</summary>
    public int Depth { get; }

    /// <summary>Number of columns (output positions).</summary>
    public int Columns { get; }

    /// <summary>Activation bit width k, 1 to 8.</summary>
    public int Bits { get; }

    /// <summary>64-bit words per plane of one column: <c>ceil(Depth / 64)</c>.</summary>
    public int WordsPerPlane { get; }

    /// <summary>Words per column, all planes.</summary>
    public int WordsPerColumn => Bits * WordsPerPlane;

    /// <summary>The bit-plane words (layout in the class summary).</summary>
    internal ulong[] Words { get; }

    /// <summary><c>sum_k q[k, p]</c> per column.</summary>
    internal int[] ColumnSums { get; }

    /// <summary>Bytes of the packed planes (without the column sums).</summary>
    public long PackedByteCount => Words.LongLength * sizeof(ulong);

    /// <summary>All planes of column <paramref name="column"/>.</summary>
    internal Span<ulong> Column(int column) => Words.AsSpan(column * WordsPerColumn, WordsPerColumn);

    /// <summary>The level at <c>[k, column]</c>, read back from the planes.</summary>
    public int Level(int k, int column)
    {
        var words = Column(column);
        int level = 0;
        for (int b = 0; b < Bits; b++)
            level |= (int)((words[b * WordsPerPlane + (k >> 6)] >> (k & 63)) & 1) << b;
        return level;
    }

    /// <summary>Recomputes <see cref="ColumnSums"/> for one column from its planes.</summary>
    internal void UpdateColumnSum(int column)
    {
        var words = Column(column);
        int sum = 0;
        for (int b = 0; b < Bits; b++)
        {
            int ones = 0;
            foreach (ulong word in words.Slice(b * WordsPerPlane, WordsPerPlane)) ones += BitOperations.PopCount(word);
            sum += ones << b;
        }
        ColumnSums[column] = sum;
    }

    /// <summary>Packs a row-major level matrix <c>[depth, columns]</c> of k-bit levels (each 0 to 2^k - 1).</summary>
    public static PackedBitPlanes FromLevels(ReadOnlySpan<byte> levels, int depth, int columns, int bits)
    {
        var planes = new PackedBitPlanes(depth, columns, bits);
        if (levels.Length != (long)depth * columns)
            throw new ArgumentException(
                $"levels has {levels.Length} elements; expected depth * columns = {(long)depth * columns}.", nameof(levels));
        ActivationLevels.CheckRange(levels, bits, nameof(levels));
        for (int p = 0; p < columns; p++)
        {
            var words = planes.Column(p);
            for (int k = 0; k < depth; k++)
            {
                int level = levels[k * columns + p];
                for (int b = 0; b < bits; b++)
                    words[b * planes.WordsPerPlane + (k >> 6)] |= (ulong)((level >> b) & 1) << (k & 63);
            }
            planes.UpdateColumnSum(p);
        }
        return planes;
    }
}
