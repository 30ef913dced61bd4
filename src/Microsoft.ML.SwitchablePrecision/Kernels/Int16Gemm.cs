using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Exact int32 product of 16-bit weights and activation levels of up to 8 bits widened to 16 bits:
/// <c>out[m, p] = sum_k w[m, k] q[k, p]</c>. It serves 8-bit switches on CPUs without AVX-VNNI, where the s8 x u8
/// products of <see cref="Int8Gemm"/> need halved weights and int16 words widened in registers: here both operands
/// are stored widened (<see cref="Int16Weights"/>, <see cref="ShortColumns"/>) and the AVX2 variant is one
/// <c>vpmaddwd</c> (two products summed into each int32 lane, exact for <c>|w| &lt;= 32767</c>, <c>q &lt;= 255</c>)
/// per pair of K and block of 8 rows, with a pair of levels broadcast. Register block: 16 rows x 4 columns. No allocation.
/// </summary>
internal static class Int16Gemm
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    // An array field: a collection expression of an enum type behind the span would allocate on every call.
    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx2];

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Row ranges starting at a multiple of this never make two calls compute the same row block.</summary>
    public const int RowAlignment = 16;

    private const int VectorColumns = 4;

    /// <summary>Computes the block <paramref name="range"/> of the product into <paramref name="output"/>.</summary>
    public static void Multiply(Int16Weights weights, ShortColumns activations, Span<int> output, OutputLayout layout, GemmRange range,
        KernelVariant variant = KernelVariant.Auto)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (activations.ColumnStride < weights.PaddedDepth)
            throw new ArgumentException(
                $"activation columns have stride {activations.ColumnStride}; the weights read {weights.PaddedDepth} values per column (depth {weights.Depth} padded to a multiple of 2).",
                nameof(activations));
        range.Check(weights.Rows, activations.Columns);
        layout.Check(range, output.Length);
        if (KernelSupport.Resolve(variant, nameof(Int16Gemm), Preference) == KernelVariant.Avx2) MultiplyAvx2(weights, activations, output, layout, range);
        else Reference(weights, activations, output, layout, range);
    }

    /// <summary>The definition, reading the weights back from the panel; throws on a level outside <c>0 .. 2^Bits - 1</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(Int16Weights weights, ShortColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        int limit = 1 << activations.Bits;
        ReadOnlySpan<short> panel = weights.Panel;
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                int sum = 0;
                for (int k = 0; k < weights.Depth; k++)
                {
                    int q = activations.Levels[p * activations.ColumnStride + k];
                    if (q < 0 || q >= limit)
                        throw new ArgumentException(
                            $"activation level [{k}, {p}] is {q}; expected a {activations.Bits}-bit level in 0..{limit - 1}.", nameof(activations));
                    sum += panel[weights.Index(m, k)] * q;
                }
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] = sum;
            }
    }

    // Two 8-row blocks (one int32 lane per row) x four columns, eight accumulators. Per pair of K, the two levels of a
    // column are broadcast to every lane as one dword and multiplied with that pair of 8 weight rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx2(Int16Weights weights, ShortColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        const int unitRows = 2 * Int16Weights.BlockRows, blockValues = Int16Weights.BlockRows * Int16Weights.PairSize;
        int pairs = weights.Pairs, stride = activations.ColumnStride;
        ref short panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref short levels = ref MemoryMarshal.GetReference(activations.Levels);
        ref int result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            ref short blockA = ref Unsafe.Add(ref panel, 2 * unit * pairs * blockValues);
            ref short blockB = ref Unsafe.Add(ref blockA, pairs * blockValues);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref short x0 = ref Unsafe.Add(ref levels, (nint)p * stride);
                ref short x1 = ref Unsafe.Add(ref levels, (nint)(p + Math.Min(1, count - 1)) * stride);
                ref short x2 = ref Unsafe.Add(ref levels, (nint)(p + Math.Min(2, count - 1)) * stride);
                ref short x3 = ref Unsafe.Add(ref levels, (nint)(p + Math.Min(3, count - 1)) * stride);
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int j = 0; j < pairs; j++)
                {
                    var wa = Vector256.LoadUnsafe(ref blockA, (nuint)(j * blockValues));
                    var wb = Vector256.LoadUnsafe(ref blockB, (nuint)(j * blockValues));
                    int k = j * Int16Weights.PairSize;
                    var x = Pair(ref x0, k);
                    a0 += Avx2.MultiplyAddAdjacent(wa, x); b0 += Avx2.MultiplyAddAdjacent(wb, x);
                    x = Pair(ref x1, k);
                    a1 += Avx2.MultiplyAddAdjacent(wa, x); b1 += Avx2.MultiplyAddAdjacent(wb, x);
                    x = Pair(ref x2, k);
                    a2 += Avx2.MultiplyAddAdjacent(wa, x); b2 += Avx2.MultiplyAddAdjacent(wb, x);
                    x = Pair(ref x3, k);
                    a3 += Avx2.MultiplyAddAdjacent(wa, x); b3 += Avx2.MultiplyAddAdjacent(wb, x);
                }
                RowVectors.Store4(a0, a1, a2, a3, count, ref result, layout, range, firstRow, p);
                RowVectors.Store4(b0, b1, b2, b3, count, ref result, layout, range, firstRow + Int16Weights.BlockRows, p);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Pair(ref short column, int k) =>
        Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref Unsafe.Add(ref column, k)))).AsInt16();
}
