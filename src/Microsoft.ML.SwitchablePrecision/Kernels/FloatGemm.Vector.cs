using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class FloatGemm
{
    private const int VectorColumns = 8;

    private static void MultiplyAvx512(FloatGemmWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range) =>
        MultiplyVector<Vector512<float>, Lanes512>(weights, activations, output, layout, range);

    private static void MultiplyAvx2(FloatGemmWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range) =>
        MultiplyVector<Vector256<float>, Lanes256>(weights, activations, output, layout, range);

    // Register block: one vector of rows (16 with AVX-512, 8 with AVX2: half a panel) x eight columns, eight
    // accumulators, enough independent FMA chains to cover the FMA latency on two ports. Per k: one panel load, eight
    // broadcasts (folded into the FMAs), eight FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyVector<TVector, TLanes>(FloatGemmWeights weights, FloatColumns activations, Span<float> output,
        OutputLayout layout, GemmRange range) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        const int panelRows = FloatGemmWeights.BlockRows;
        int rows = TLanes.Rows, depth = weights.Depth;
        ref float panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref float result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / rows; unit * rows < range.RowEnd; unit++)
        {
            int firstRow = unit * rows;
            ref float w = ref Unsafe.Add(ref panel, (firstRow / panelRows) * depth * panelRows + firstRow % panelRows);
            MultiplyUnit<TVector, TLanes>(ref w, depth, activations, ref result, layout, range, firstRow);
        }
    }

    /// <summary>
    /// The microkernel over one vector of rows starting at <paramref name="firstRow"/>: every column of
    /// <paramref name="range"/>, the rows' weight at <c>k</c> read from <c>w + 16 k</c> (the panel layout of
    /// <see cref="FloatGemmWeights"/>). <see cref="SignPanelGemm"/> runs it on panels it expands from sign bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyUnit<TVector, TLanes>(ref float w, int depth, FloatColumns activations, ref float result,
        OutputLayout layout, GemmRange range, int firstRow) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        if (activations.IsGathered) MultiplyGatheredUnit<TVector, TLanes>(ref w, depth, activations, ref result, layout, range, firstRow);
        else MultiplyDenseUnit<TVector, TLanes>(ref w, depth, activations, ref result, layout, range, firstRow);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyDenseUnit<TVector, TLanes>(ref float w, int depth, FloatColumns activations, ref float result,
        OutputLayout layout, GemmRange range, int firstRow) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        const int panelRows = FloatGemmWeights.BlockRows;
        int stride = activations.ColumnStride;
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
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
            TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int k = 0; k < depth; k++)
            {
                var wk = TLanes.Load(ref Unsafe.Add(ref w, k * panelRows));
                s0 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x0, k), s0);
                s1 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x1, k), s1);
                s2 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x2, k), s2);
                s3 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x3, k), s3);
                s4 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x4, k), s4);
                s5 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x5, k), s5);
                s6 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x6, k), s6);
                s7 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x7, k), s7);
            }
            TLanes.Store(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, firstRow, p);
        }
    }

    // The same block on gathered columns: per k one offset read, shared by the eight columns (a separate loop, so the
    // dense one carries no table read).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyGatheredUnit<TVector, TLanes>(ref float w, int depth, FloatColumns activations, ref float result,
        OutputLayout layout, GemmRange range, int firstRow) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        const int panelRows = FloatGemmWeights.BlockRows;
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref int columnOffsets = ref MemoryMarshal.GetReference(activations.ColumnOffsets);
        ref int depthOffsets = ref MemoryMarshal.GetReference(activations.DepthOffsets);
        for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
        {
            int count = Math.Min(VectorColumns, range.ColumnEnd - p);
            ref float x0 = ref GatheredColumn(ref values, ref columnOffsets, p, 0, count);
            ref float x1 = ref GatheredColumn(ref values, ref columnOffsets, p, 1, count);
            ref float x2 = ref GatheredColumn(ref values, ref columnOffsets, p, 2, count);
            ref float x3 = ref GatheredColumn(ref values, ref columnOffsets, p, 3, count);
            ref float x4 = ref GatheredColumn(ref values, ref columnOffsets, p, 4, count);
            ref float x5 = ref GatheredColumn(ref values, ref columnOffsets, p, 5, count);
            ref float x6 = ref GatheredColumn(ref values, ref columnOffsets, p, 6, count);
            ref float x7 = ref GatheredColumn(ref values, ref columnOffsets, p, 7, count);
            TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int k = 0; k < depth; k++)
            {
                var wk = TLanes.Load(ref Unsafe.Add(ref w, k * panelRows));
                nint at = Unsafe.Add(ref depthOffsets, k);
                s0 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x0, at), s0);
                s1 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x1, at), s1);
                s2 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x2, at), s2);
                s3 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x3, at), s3);
                s4 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x4, at), s4);
                s5 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x5, at), s5);
                s6 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x6, at), s6);
                s7 = TLanes.MultiplyAdd(wk, Unsafe.Add(ref x7, at), s7);
            }
            TLanes.Store(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, firstRow, p);
        }
    }

    // Gathered column j of a block of up to eight; a short block repeats its last column, whose results are not stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float GatheredColumn(ref float values, ref int columnOffsets, int first, int j, int count) =>
        ref Unsafe.Add(ref values, Unsafe.Add(ref columnOffsets, first + Math.Min(j, count - 1)));

    // Column j of a block of up to eight; a short block repeats its last column, whose results are not stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float Column(ref float values, int stride, int first, int j, int count) =>
        ref Unsafe.Add(ref values, (nint)(first + Math.Min(j, count - 1)) * stride);
}
