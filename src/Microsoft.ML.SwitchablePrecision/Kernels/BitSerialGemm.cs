using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Exact bit-serial product of 1- or 2-bit weights and k-bit activation levels (k = 1..8):
/// <c>out[m, p] = sum_k (A l[m, k] - B) q[k, p] = A sum_c sum_b 2^(c + b) popcount(l_c[m] &amp; q_b[p]) - B colsum[p]</c>
/// with <c>A = weights.Multiplier</c>, <c>B = weights.Offset</c> and <c>colsum[p] = sum_k q[k, p]</c>. The cost is
/// <c>weightBits * activationBits</c> AND-popcount passes over K, so it pays at 2 bits or fewer.
/// Layouts: <see cref="BitSerialWeights"/> and <see cref="BitPlaneColumns"/>; the output goes where
/// <see cref="OutputLayout"/> says. No allocation; results are identical for every variant.
/// </summary>
internal static partial class BitSerialGemm
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    // An array field: a collection expression of an enum type behind the span would allocate on every call.
    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2, KernelVariant.Scalar];

    /// <summary>What this kernel serves: 1- or 2-bit weights with 1- to 8-bit activations (best at 2 bits or fewer: cost grows with weightBits * activationBits).</summary>
    public static bool Serves(int weightBits, int activationBits) => weightBits is 1 or 2 && activationBits is >= 1 and <= 8;

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>
    /// Row ranges that start at a multiple of this never make two calls compute the same row block (the vector
    /// variants compute 16 rows at a time and store only those inside the range).
    /// </summary>
    public const int RowAlignment = 16;

    /// <summary>Computes the block <paramref name="range"/> of the product into <paramref name="output"/>.</summary>
    public static void Multiply(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range, KernelVariant variant = KernelVariant.Auto)
    {
        Check(weights, activations, output.Length, layout, range);
        switch (KernelSupport.Resolve(variant, nameof(BitSerialGemm), Preference))
        {
            case KernelVariant.Avx512: RunAvx512(weights, activations, output, layout, range, Avx512FormFor(weights.WordsPerPlane, activations.Bits)); break;
            case KernelVariant.Avx2: MultiplyAvx2(weights, activations, output, layout, range); break;
            case KernelVariant.Scalar: MultiplyScalar(weights, activations, output, layout, range); break;
            default: Reference(weights, activations, output, layout, range); break;
        }
    }

    private static void Check(BitSerialWeights weights, BitPlaneColumns activations, int outputLength, OutputLayout layout, GemmRange range)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (activations.WordsPerPlane != weights.WordsPerPlane)
            throw new ArgumentException(
                $"activations have {activations.WordsPerPlane} words per plane; the weights' depth {weights.Depth} needs {weights.WordsPerPlane}.",
                nameof(activations));
        range.Check(weights.Rows, activations.Columns);
        layout.Check(range, outputLength);
    }

    /// <summary>The definition: one popcount per (row, column, weight plane, activation plane, word).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        int words = weights.WordsPerPlane;
        ReadOnlySpan<ulong> panel = weights.Panel;
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                var column = activations.Words.Slice(p * activations.WordsPerColumn, activations.WordsPerColumn);
                long raw = 0;
                for (int c = 0; c < weights.Bits; c++)
                    for (int b = 0; b < activations.Bits; b++)
                    {
                        long ones = 0;
                        for (int w = 0; w < words; w++)
                            ones += BitOperations.PopCount(panel[weights.WordIndex(m, c, w)] & column[b * words + w]);
                        raw += ones << (c + b);
                    }
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] =
                    (int)(weights.Multiplier * raw - (long)weights.Offset * activations.ColumnSums[p]);
            }
    }

    private const int ScalarColumns = 4;

    // One row against four columns: each weight word is loaded once per four popcounts. Planes run from the highest
    // down, doubling the accumulators before each, so plane b is weighted by 2^b without a sum per plane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyScalar(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        int words = weights.WordsPerPlane, bits = activations.Bits, weightBits = weights.Bits;
        int columnWords = activations.WordsPerColumn, wordStride = weightBits * BitSerialWeights.BlockRows;
        ref ulong panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref ulong planes = ref MemoryMarshal.GetReference(activations.Words);
        for (int m = range.RowStart; m < range.RowEnd; m++)
        {
            ref int outRow = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), (m - range.RowStart) * layout.RowStride);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += ScalarColumns)
            {
                int count = Math.Min(ScalarColumns, range.ColumnEnd - p);
                // Short blocks repeat their last column; only the real ones are stored.
                ref ulong x0 = ref Unsafe.Add(ref planes, (nint)p * columnWords);
                ref ulong x1 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(1, count - 1)) * columnWords);
                ref ulong x2 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(2, count - 1)) * columnWords);
                ref ulong x3 = ref Unsafe.Add(ref planes, (nint)(p + Math.Min(3, count - 1)) * columnWords);
                long t0 = 0, t1 = 0, t2 = 0, t3 = 0;
                for (int c = weightBits - 1; c >= 0; c--)
                {
                    long a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    ref ulong row = ref Unsafe.Add(ref panel, weights.WordIndex(m, c, 0));
                    for (int b = bits - 1; b >= 0; b--)
                    {
                        a0 <<= 1; a1 <<= 1; a2 <<= 1; a3 <<= 1;
                        int plane = b * words;
                        for (int w = 0; w < words; w++)
                        {
                            ulong s = Unsafe.Add(ref row, w * wordStride);
                            a0 += BitOperations.PopCount(s & Unsafe.Add(ref x0, plane + w));
                            a1 += BitOperations.PopCount(s & Unsafe.Add(ref x1, plane + w));
                            a2 += BitOperations.PopCount(s & Unsafe.Add(ref x2, plane + w));
                            a3 += BitOperations.PopCount(s & Unsafe.Add(ref x3, plane + w));
                        }
                    }
                    // Weight planes are weighted by 2^c the same way, one level up.
                    t0 = 2 * t0 + a0; t1 = 2 * t1 + a1; t2 = 2 * t2 + a2; t3 = 2 * t3 + a3;
                }
                Span<long> raw = [t0, t1, t2, t3];
                for (int j = 0; j < count; j++)
                    Unsafe.Add(ref outRow, (p - range.ColumnStart + j) * layout.ColumnStride) =
                        (int)(weights.Multiplier * raw[j] - (long)weights.Offset * activations.ColumnSums[p + j]);
            }
        }
    }
}
