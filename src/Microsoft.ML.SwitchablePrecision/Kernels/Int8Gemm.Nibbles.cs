using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class Int8Gemm
{
    /// <summary>Variants of <see cref="MultiplyNibbles"/> besides Reference.</summary>
    public static ReadOnlySpan<KernelVariant> NibblePreference => NibblePreferenceOrder;

    private static readonly KernelVariant[] NibblePreferenceOrder = [KernelVariant.Avx2];

    /// <summary>
    /// Quads of K whose int16 pair sums one accumulator takes before it is widened: a pair sum of a 4-bit level and a
    /// weight is at most <c>2 * 15 * 128 = 3840</c> in magnitude, so eight fit in int16.
    /// </summary>
    public const int NibbleFlushQuads = 8;

    /// <summary>
    /// The product with each level given as two 4-bit halves, <c>q = low + 16 high</c>: <c>out[m, p] = sum_k w[m, k]
    /// (low[k, p] + 16 high[k, p])</c>, exact for any s8 weights. Both column sets are dense with the same stride
    /// (<see cref="NibbleColumns.Split"/>). The AVX2 variant multiplies each half by <c>vpmaddubsw</c> (its pair sums
    /// cannot saturate on 4-bit levels) and adds eight quads in int16 before one <c>vpmaddwd</c> widens them. Measured
    /// as fast as the int16 words on ResNet-18's W8A8 layers, not faster (both make two 16-product multiplies per 32
    /// products, the bound of the two multiply pipes of Zen 3; docs/kernels.md "ResNet-18 on AVX2"), so the plans keep
    /// the words; kept for that measurement (<c>KernelBenchmark --mode int8-avx2</c>).
    /// </summary>
    public static void MultiplyNibbles(Int8Weights weights, ByteColumns low, ByteColumns high, Span<int> output, OutputLayout layout,
        GemmRange range, KernelVariant variant = KernelVariant.Auto)
    {
        Check(weights, low, output.Length, layout, range);
        if (low.IsGathered || high.IsGathered || low.ColumnStride != high.ColumnStride || low.Columns != high.Columns
            || low.Bits > 4 || high.Bits > 4 || high.Levels.Length < low.Levels.Length)
            throw new ArgumentException(
                $"nibble columns must be dense 4-bit levels of one shape; got strides {low.ColumnStride} and {high.ColumnStride}, {low.Columns} and {high.Columns} columns, {low.Bits} and {high.Bits} bits.",
                nameof(high));
        switch (KernelSupport.Resolve(variant, nameof(MultiplyNibbles), NibblePreference))
        {
            case KernelVariant.Avx2: MultiplyNibblesAvx2(weights, low, high, output, layout, range); break;
            default: NibblesReference(weights, low, high, output, layout, range); break;
        }
    }

    // The definition: the level put back together, then the plain sum.
    private static void NibblesReference(Int8Weights weights, ByteColumns low, ByteColumns high, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                int sum = 0;
                for (int k = 0; k < weights.Depth; k++)
                {
                    int at = low.Offset(k, p);
                    sum += weights.Weight(m, k) * (low.Levels[at] + 16 * high.Levels[at]);
                }
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] = sum;
            }
    }

    // Register block 16 rows x 2 columns as the words: per quad two weight loads, four broadcast quads (low and high
    // of each column) and eight vpmaddubsw + eight int16 adds, no widening; the weights' 32-bit lanes are rows, so
    // vpmaddwd with ones (low) or sixteens (high) leaves each row's sum in its lane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyNibblesAvx2(Int8Weights weights, ByteColumns low, ByteColumns high, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        const int unitRows = 2 * Int8Weights.BlockRows, blockBytes = Int8Weights.BlockRows * Int8Weights.QuadSize;
        int quads = weights.Quads, stride = low.ColumnStride;
        ref sbyte panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref byte lows = ref MemoryMarshal.GetReference(low.Levels);
        ref byte highs = ref MemoryMarshal.GetReference(high.Levels);
        ref int result = ref MemoryMarshal.GetReference(output);
        var ones = Vector256.Create((short)1);
        var sixteens = Vector256.Create((short)16);
        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            ref sbyte blockA = ref Unsafe.Add(ref panel, 2 * unit * quads * blockBytes);
            ref sbyte blockB = ref Unsafe.Add(ref blockA, quads * blockBytes);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += WordColumns)
            {
                int count = Math.Min(WordColumns, range.ColumnEnd - p);
                nint start0 = (nint)p * stride, start1 = (nint)(p + Math.Min(1, count - 1)) * stride;
                ref byte l0 = ref Unsafe.Add(ref lows, start0);
                ref byte h0 = ref Unsafe.Add(ref highs, start0);
                ref byte l1 = ref Unsafe.Add(ref lows, start1);
                ref byte h1 = ref Unsafe.Add(ref highs, start1);
                Vector256<int> a0 = default, a1 = default, c0 = default, c1 = default;
                for (int first = 0; first < quads; first += NibbleFlushQuads)
                {
                    int end = Math.Min(quads, first + NibbleFlushQuads);
                    Vector256<short> la0 = default, la1 = default, lc0 = default, lc1 = default;
                    Vector256<short> ha0 = default, ha1 = default, hc0 = default, hc1 = default;
                    for (int q = first; q < end; q++)
                    {
                        var wa = Vector256.LoadUnsafe(ref blockA, (nuint)(q * blockBytes));
                        var wc = Vector256.LoadUnsafe(ref blockB, (nuint)(q * blockBytes));
                        int k = q * Int8Weights.QuadSize;
                        var x = Quad(ref l0, k);
                        la0 += Avx2.MultiplyAddAdjacent(x, wa); lc0 += Avx2.MultiplyAddAdjacent(x, wc);
                        x = Quad(ref h0, k);
                        ha0 += Avx2.MultiplyAddAdjacent(x, wa); hc0 += Avx2.MultiplyAddAdjacent(x, wc);
                        x = Quad(ref l1, k);
                        la1 += Avx2.MultiplyAddAdjacent(x, wa); lc1 += Avx2.MultiplyAddAdjacent(x, wc);
                        x = Quad(ref h1, k);
                        ha1 += Avx2.MultiplyAddAdjacent(x, wa); hc1 += Avx2.MultiplyAddAdjacent(x, wc);
                    }
                    a0 += Avx2.MultiplyAddAdjacent(la0, ones) + Avx2.MultiplyAddAdjacent(ha0, sixteens);
                    a1 += Avx2.MultiplyAddAdjacent(la1, ones) + Avx2.MultiplyAddAdjacent(ha1, sixteens);
                    c0 += Avx2.MultiplyAddAdjacent(lc0, ones) + Avx2.MultiplyAddAdjacent(hc0, sixteens);
                    c1 += Avx2.MultiplyAddAdjacent(lc1, ones) + Avx2.MultiplyAddAdjacent(hc1, sixteens);
                }
                StoreWords(a0, a1, count, ref result, layout, range, firstRow, p);
                StoreWords(c0, c1, count, ref result, layout, range, firstRow + Int8Weights.BlockRows, p);
            }
        }
    }
}
