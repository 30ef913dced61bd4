using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class FloatGemm
{
    private const int VectorColumns = 8;

    // Register block: one 16-row panel (one lane per row) x eight columns, eight accumulators, enough independent
    // FMA chains to cover the FMA latency on two ports. Per k: one panel load, eight broadcasts, eight FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx512(FloatGemmWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        const int rows = FloatGemmWeights.BlockRows;
        int depth = weights.Depth, stride = activations.ColumnStride;
        ref float panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref float result = ref MemoryMarshal.GetReference(output);
        for (int block = range.RowStart / rows; block * rows < range.RowEnd; block++)
        {
            ref float w = ref Unsafe.Add(ref panel, block * depth * rows);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref float x0 = ref Column(ref values, stride, p, 0, count);
                ref float x1 = ref Column(ref values, stride, p, 1, count);
                ref float x2 = ref Column(ref values, stride, p, 2, count);
                ref float x3 = ref Column(ref values, stride, p, 3, count);
                ref float x4 = ref Column(ref values, stride, p, 4, count);
                ref float x5 = ref Column(ref values, stride, p, 5, count);
                ref float x6 = ref Column(ref values, stride, p, 6, count);
                ref float x7 = ref Column(ref values, stride, p, 7, count);
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
                for (int k = 0; k < depth; k++)
                {
                    var wk = Vector512.LoadUnsafe(ref w, (nuint)(k * rows));
                    s0 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x0, k)), s0);
                    s1 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x1, k)), s1);
                    s2 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x2, k)), s2);
                    s3 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x3, k)), s3);
                    s4 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x4, k)), s4);
                    s5 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x5, k)), s5);
                    s6 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x6, k)), s6);
                    s7 = Avx512F.FusedMultiplyAdd(wk, Vector512.Create(Unsafe.Add(ref x7, k)), s7);
                }
                int firstRow = block * rows;
                StoreColumns(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, firstRow, p);
            }
        }
    }

    // Half a panel (8 rows) x eight columns with 256-bit FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx2(FloatGemmWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        const int rows = FloatGemmWeights.BlockRows, half = rows / 2;
        int depth = weights.Depth, stride = activations.ColumnStride;
        ref float panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref float result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / half; unit * half < range.RowEnd; unit++)
        {
            ref float w = ref Unsafe.Add(ref panel, (unit / 2) * depth * rows + (unit % 2) * half);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref float x0 = ref Column(ref values, stride, p, 0, count);
                ref float x1 = ref Column(ref values, stride, p, 1, count);
                ref float x2 = ref Column(ref values, stride, p, 2, count);
                ref float x3 = ref Column(ref values, stride, p, 3, count);
                ref float x4 = ref Column(ref values, stride, p, 4, count);
                ref float x5 = ref Column(ref values, stride, p, 5, count);
                ref float x6 = ref Column(ref values, stride, p, 6, count);
                ref float x7 = ref Column(ref values, stride, p, 7, count);
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
                for (int k = 0; k < depth; k++)
                {
                    var wk = Vector256.LoadUnsafe(ref w, (nuint)(k * rows));
                    s0 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x0, k)), s0);
                    s1 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x1, k)), s1);
                    s2 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x2, k)), s2);
                    s3 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x3, k)), s3);
                    s4 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x4, k)), s4);
                    s5 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x5, k)), s5);
                    s6 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x6, k)), s6);
                    s7 = Fma.MultiplyAdd(wk, Vector256.Create(Unsafe.Add(ref x7, k)), s7);
                }
                StoreColumns(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, unit * half, p);
            }
        }
    }

    // Column j of a block of up to eight; a short block repeats its last column, whose results are not stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float Column(ref float values, int stride, int first, int j, int count) =>
        ref Unsafe.Add(ref values, (nint)(first + Math.Min(j, count - 1)) * stride);

    // Two groups of four columns; the int overloads of RowVectors move the float bits unchanged.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreColumns(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, Vector512<float> s4,
        Vector512<float> s5, Vector512<float> s6, Vector512<float> s7, int count, ref float output, OutputLayout layout, GemmRange range, int firstRow, int p)
    {
        ref int target = ref Unsafe.As<float, int>(ref output);
        RowVectors.Store4(s0.AsInt32(), s1.AsInt32(), s2.AsInt32(), s3.AsInt32(), Math.Min(count, 4), ref target, layout, range, firstRow, p);
        if (count > 4)
            RowVectors.Store4(s4.AsInt32(), s5.AsInt32(), s6.AsInt32(), s7.AsInt32(), count - 4, ref target, layout, range, firstRow, p + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreColumns(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3, Vector256<float> s4,
        Vector256<float> s5, Vector256<float> s6, Vector256<float> s7, int count, ref float output, OutputLayout layout, GemmRange range, int firstRow, int p)
    {
        ref int target = ref Unsafe.As<float, int>(ref output);
        RowVectors.Store4(s0.AsInt32(), s1.AsInt32(), s2.AsInt32(), s3.AsInt32(), Math.Min(count, 4), ref target, layout, range, firstRow, p);
        if (count > 4)
            RowVectors.Store4(s4.AsInt32(), s5.AsInt32(), s6.AsInt32(), s7.AsInt32(), count - 4, ref target, layout, range, firstRow, p + 4);
    }
}
