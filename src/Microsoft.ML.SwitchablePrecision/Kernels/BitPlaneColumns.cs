using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Activations of <see cref="BitSerialGemm"/>: <see cref="Columns"/> columns (output pixels x batch) of K k-bit levels
/// <c>q = sum_b 2^b q_b</c>, stored as in <see cref="PackedBitPlanes"/>: column-major, then plane, then word, so word
/// <c>w</c> of plane <c>b</c> of column <c>p</c> is <c>Words[(p * Bits + b) * WordsPerPlane + w]</c> (bit <c>k % 64</c>
/// of word <c>k / 64</c>; bits past K are 0). <see cref="ColumnSums"/> holds <c>sum_k q[k, p]</c>, which the kernel
/// needs for the weights' offset; <see cref="PackColumn"/> writes a column and returns its sum.
/// </summary>
internal readonly ref struct BitPlaneColumns
{
    public BitPlaneColumns(ReadOnlySpan<ulong> words, ReadOnlySpan<int> columnSums, int columns, int bits, int wordsPerPlane)
    {
        ActivationLevels.CheckBits(bits, nameof(bits));
        KernelChecks.Positive(wordsPerPlane, nameof(wordsPerPlane));
        KernelChecks.Columns(words.Length, columns, bits * wordsPerPlane, bits * wordsPerPlane, nameof(words));
        if (columnSums.Length < columns)
            throw new ArgumentException($"columnSums has {columnSums.Length} elements; expected one per column ({columns}).", nameof(columnSums));
        Words = words;
        ColumnSums = columnSums;
        Columns = columns;
        Bits = bits;
        WordsPerPlane = wordsPerPlane;
    }

    /// <summary>A view of packed planes.</summary>
    public static BitPlaneColumns Of(PackedBitPlanes planes) =>
        new(planes.Words, planes.ColumnSums, planes.Columns, planes.Bits, planes.WordsPerPlane);

    public ReadOnlySpan<ulong> Words { get; }

    public ReadOnlySpan<int> ColumnSums { get; }

    public int Columns { get; }

    /// <summary>Activation bit planes, 1 to 8.</summary>
    public int Bits { get; }

    public int WordsPerPlane { get; }

    /// <summary>Words per column (all planes).</summary>
    public int WordsPerColumn => Bits * WordsPerPlane;

    /// <summary>
    /// Writes the planes of one column of <paramref name="levels"/> (K levels, each below 2^bits; not checked) into
    /// <paramref name="destination"/> (<c>bits * ceil(K / 64)</c> words, overwritten) and returns <c>sum_k q[k]</c>.
    /// Vectorised: for 64 levels at a time, plane b's word is the top bit of every byte of <c>levels &lt;&lt; (7 - b)</c>.
    /// </summary>
    public static int PackColumn(ReadOnlySpan<byte> levels, int bits, Span<ulong> destination)
    {
        int words = BitRows.WordsFor(levels.Length);
        KernelChecks.Length(destination.Length, (long)bits * words, nameof(destination), "bits * ceil(K / 64)");
        int sum = 0, full = levels.Length / 64;
        for (int chunk = 0; chunk < full; chunk++)
            sum += PackChunk(levels.Slice(chunk * 64, 64), bits, destination, words, chunk);
        if (full < words)
        {
            Span<byte> tail = stackalloc byte[64];
            tail.Clear();
            levels[(full * 64)..].CopyTo(tail);
            sum += PackChunk(tail, bits, destination, words, full);
        }
        return sum;
    }

    /// <summary>The plain per-bit loop <see cref="PackColumn"/> must equal (kept for tests).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int PackColumnReference(ReadOnlySpan<byte> levels, int bits, Span<ulong> destination)
    {
        int words = BitRows.WordsFor(levels.Length);
        KernelChecks.Length(destination.Length, (long)bits * words, nameof(destination), "bits * ceil(K / 64)");
        destination.Clear();
        int sum = 0;
        for (int k = 0; k < levels.Length; k++)
        {
            int level = levels[k];
            sum += level;
            for (int b = 0; b < bits; b++)
                destination[b * words + (k >> 6)] |= (ulong)((level >> b) & 1) << (k & 63);
        }
        return sum;
    }

    // 64 levels: one word per plane, and their sum.
    private static int PackChunk(ReadOnlySpan<byte> levels, int bits, Span<ulong> destination, int words, int chunk)
    {
        ref byte first = ref MemoryMarshal.GetReference(levels);
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.LoadUnsafe(ref first);
            for (int b = 0; b < bits; b++)
                destination[b * words + chunk] = Vector512.ShiftLeft(v, 7 - b).ExtractMostSignificantBits();
            return Vector512.Sum(Vector512.WidenLower(v) + Vector512.WidenUpper(v));
        }
        int sum = 0;
        for (int b = 0; b < bits; b++) destination[b * words + chunk] = 0;
        for (int part = 0; part < 4; part++)
        {
            var v = Vector128.LoadUnsafe(ref first, (nuint)(part * 16));
            for (int b = 0; b < bits; b++)
                destination[b * words + chunk] |= (ulong)Vector128.ShiftLeft(v, 7 - b).ExtractMostSignificantBits() << (part * 16);
            sum += Vector128.Sum(Vector128.WidenLower(v) + Vector128.WidenUpper(v));
        }
        return sum;
    }

    /// <summary><c>sum_k q[k]</c> of one packed column, from its planes.</summary>
    public static int ColumnSum(ReadOnlySpan<ulong> column, int bits, int wordsPerPlane)
    {
        int sum = 0;
        for (int b = 0; b < bits; b++)
        {
            int ones = 0;
            foreach (ulong word in column.Slice(b * wordsPerPlane, wordsPerPlane)) ones += BitOperations.PopCount(word);
            sum += ones << b;
        }
        return sum;
    }
}
