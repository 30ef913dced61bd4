using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Exact integer product of a binary weight matrix and k-bit activation levels:
/// <c>output[m, p] = sum_k w[m, k] q[k, p]</c> with <c>w in {-1, +1}</c> (the sign bits) and <c>q in 0..2^k - 1</c>.
/// Per bit plane, <c>sum_k w q_b = 2 popcount(s &amp; q_b) - popcount(q_b)</c> (s = 1 where w = +1); the planes are
/// weighted by <c>2^b</c> and the second term summed over planes is the column sum of q, cached with the planes.
/// </summary>
internal static class BinaryGemm
{
    private const int RowBlock = 4;
    private const int ColumnBlock = 2;

    /// <summary>
    /// Writes <c>output[m * activations.Columns + p]</c> (row-major <c>[weights.Rows, activations.Columns]</c>).
    /// Allocates nothing.
    /// </summary>
    public static void Multiply(PackedBinaryWeights weights, PackedBitPlanes activations, Span<int> output)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Depth != weights.Depth)
            throw new ArgumentException(
                $"activations has depth {activations.Depth}; expected the weights' depth {weights.Depth}.", nameof(activations));
        long expected = (long)weights.Rows * activations.Columns;
        if (output.Length != expected)
            throw new ArgumentException(
                $"output has {output.Length} elements; expected weights.Rows * activations.Columns = {expected}.", nameof(output));

        int rows = weights.Rows, columns = activations.Columns, bits = activations.Bits, words = weights.WordsPerRow;
        int columnStride = activations.WordsPerColumn;
        ref ulong signs = ref MemoryMarshal.GetArrayDataReference(weights.Signs);
        ref ulong planes = ref MemoryMarshal.GetArrayDataReference(activations.Words);
        ref int sums = ref MemoryMarshal.GetArrayDataReference(activations.ColumnSums);
        ref int result = ref MemoryMarshal.GetReference(output);

        int p = 0;
        for (; p + ColumnBlock <= columns; p += ColumnBlock)
        {
            ref ulong column0 = ref Unsafe.Add(ref planes, (nint)p * columnStride);
            ref ulong column1 = ref Unsafe.Add(ref column0, columnStride);
            int sum0 = Unsafe.Add(ref sums, p), sum1 = Unsafe.Add(ref sums, p + 1);
            int m = 0;
            for (; m + RowBlock <= rows; m += RowBlock)
                Block4x2(ref Unsafe.Add(ref signs, (nint)m * words), words, ref column0, ref column1, bits, sum0, sum1,
                    ref Unsafe.Add(ref result, (nint)m * columns + p), columns);
            for (; m < rows; m++)
            {
                ref ulong row = ref Unsafe.Add(ref signs, (nint)m * words);
                Unsafe.Add(ref result, (nint)m * columns + p) = Dot(ref row, words, ref column0, bits, sum0);
                Unsafe.Add(ref result, (nint)m * columns + p + 1) = Dot(ref row, words, ref column1, bits, sum1);
            }
        }
        for (; p < columns; p++)
        {
            ref ulong column = ref Unsafe.Add(ref planes, (nint)p * columnStride);
            int sum = Unsafe.Add(ref sums, p);
            for (int m = 0; m < rows; m++)
                Unsafe.Add(ref result, (nint)m * columns + p) = Dot(ref Unsafe.Add(ref signs, (nint)m * words), words, ref column, bits, sum);
        }
    }

    // Four weight rows against two columns: every loaded word is used 2 or 4 times. Planes run from the highest bit
    // down so that doubling the accumulators before each plane weights plane b by 2^b without a separate sum per plane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x2(ref ulong row0, int words, ref ulong column0, ref ulong column1, int bits,
        int sum0, int sum1, ref int output, int outputStride)
    {
        ref ulong row1 = ref Unsafe.Add(ref row0, words);
        ref ulong row2 = ref Unsafe.Add(ref row1, words);
        ref ulong row3 = ref Unsafe.Add(ref row2, words);
        int a00 = 0, a01 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a30 = 0, a31 = 0;
        for (int b = bits - 1; b >= 0; b--)
        {
            a00 <<= 1; a01 <<= 1; a10 <<= 1; a11 <<= 1; a20 <<= 1; a21 <<= 1; a30 <<= 1; a31 <<= 1;
            ref ulong plane0 = ref Unsafe.Add(ref column0, b * words);
            ref ulong plane1 = ref Unsafe.Add(ref column1, b * words);
            for (int w = 0; w < words; w++)
            {
                ulong x0 = Unsafe.Add(ref plane0, w), x1 = Unsafe.Add(ref plane1, w);
                ulong s0 = Unsafe.Add(ref row0, w), s1 = Unsafe.Add(ref row1, w);
                ulong s2 = Unsafe.Add(ref row2, w), s3 = Unsafe.Add(ref row3, w);
                a00 += BitOperations.PopCount(s0 & x0); a01 += BitOperations.PopCount(s0 & x1);
                a10 += BitOperations.PopCount(s1 & x0); a11 += BitOperations.PopCount(s1 & x1);
                a20 += BitOperations.PopCount(s2 & x0); a21 += BitOperations.PopCount(s2 & x1);
                a30 += BitOperations.PopCount(s3 & x0); a31 += BitOperations.PopCount(s3 & x1);
            }
        }
        output = 2 * a00 - sum0; Unsafe.Add(ref output, 1) = 2 * a01 - sum1;
        ref int out1 = ref Unsafe.Add(ref output, outputStride);
        out1 = 2 * a10 - sum0; Unsafe.Add(ref out1, 1) = 2 * a11 - sum1;
        ref int out2 = ref Unsafe.Add(ref out1, outputStride);
        out2 = 2 * a20 - sum0; Unsafe.Add(ref out2, 1) = 2 * a21 - sum1;
        ref int out3 = ref Unsafe.Add(ref out2, outputStride);
        out3 = 2 * a30 - sum0; Unsafe.Add(ref out3, 1) = 2 * a31 - sum1;
    }

    private static int Dot(ref ulong row, int words, ref ulong column, int bits, int columnSum)
    {
        int acc = 0;
        for (int b = bits - 1; b >= 0; b--)
        {
            acc <<= 1;
            ref ulong plane = ref Unsafe.Add(ref column, b * words);
            for (int w = 0; w < words; w++)
                acc += BitOperations.PopCount(Unsafe.Add(ref row, w) & Unsafe.Add(ref plane, w));
        }
        return 2 * acc - columnSum;
    }
}
