using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class SignAccumulateGemm
{
    private const int VectorColumns = 8;

    private static void MultiplyAvx512(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range) =>
        MultiplyVector<Vector512<float>, Lanes512>(weights, activations, output, layout, range);

    private static void MultiplyAvx2(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range) =>
        MultiplyVector<Vector256<float>, Lanes256>(weights, activations, output, layout, range);

    // Register block: one vector of rows (16 or 8) x eight columns. Per k the block's 16-bit negative mask becomes a
    // vector of float sign bits (lane r shifted so that its bit lands in bit 31); each column's broadcast activation
    // is XORed with it (negated where the weight is -1) and added: an XOR and an add per lane group, no multiply.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyVector<TVector, TLanes>(SignWeights weights, FloatColumns activations, Span<float> output,
        OutputLayout layout, GemmRange range) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        if (activations.IsGathered)
        {
            MultiplyGathered<TVector, TLanes>(weights, activations, output, layout, range);
            return;
        }
        const int blockRows = SignWeights.BlockRows;
        int rows = TLanes.Rows, depth = weights.Depth, stride = activations.ColumnStride;
        ref ushort masks = ref MemoryMarshal.GetArrayDataReference(weights.Masks);
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref float result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / rows; unit * rows < range.RowEnd; unit++)
        {
            int firstRow = unit * rows;
            ref ushort blockMasks = ref Unsafe.Add(ref masks, (firstRow / blockRows) * depth);
            var shifts = TLanes.SignShifts(firstRow % blockRows);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref float x0 = ref FloatGemm.Column(ref values, stride, p, 0, count);
                ref float x1 = ref FloatGemm.Column(ref values, stride, p, 1, count);
                ref float x2 = ref FloatGemm.Column(ref values, stride, p, 2, count);
                ref float x3 = ref FloatGemm.Column(ref values, stride, p, 3, count);
                ref float x4 = ref FloatGemm.Column(ref values, stride, p, 4, count);
                ref float x5 = ref FloatGemm.Column(ref values, stride, p, 5, count);
                ref float x6 = ref FloatGemm.Column(ref values, stride, p, 6, count);
                ref float x7 = ref FloatGemm.Column(ref values, stride, p, 7, count);
                TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (int k = 0; k < depth; k++)
                {
                    var sign = TLanes.SignBits(Unsafe.Add(ref blockMasks, k), shifts);
                    s0 = TLanes.AddSigned(s0, Unsafe.Add(ref x0, k), sign);
                    s1 = TLanes.AddSigned(s1, Unsafe.Add(ref x1, k), sign);
                    s2 = TLanes.AddSigned(s2, Unsafe.Add(ref x2, k), sign);
                    s3 = TLanes.AddSigned(s3, Unsafe.Add(ref x3, k), sign);
                    s4 = TLanes.AddSigned(s4, Unsafe.Add(ref x4, k), sign);
                    s5 = TLanes.AddSigned(s5, Unsafe.Add(ref x5, k), sign);
                    s6 = TLanes.AddSigned(s6, Unsafe.Add(ref x6, k), sign);
                    s7 = TLanes.AddSigned(s7, Unsafe.Add(ref x7, k), sign);
                }
                TLanes.Store(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, firstRow, p);
            }
        }
    }

    // The same block on gathered columns: per k one offset read, shared by the eight columns.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyGathered<TVector, TLanes>(SignWeights weights, FloatColumns activations, Span<float> output,
        OutputLayout layout, GemmRange range) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        const int blockRows = SignWeights.BlockRows;
        int rows = TLanes.Rows, depth = weights.Depth;
        ref ushort masks = ref MemoryMarshal.GetArrayDataReference(weights.Masks);
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref int columnOffsets = ref MemoryMarshal.GetReference(activations.ColumnOffsets);
        ref int depthOffsets = ref MemoryMarshal.GetReference(activations.DepthOffsets);
        ref float result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / rows; unit * rows < range.RowEnd; unit++)
        {
            int firstRow = unit * rows;
            ref ushort blockMasks = ref Unsafe.Add(ref masks, (firstRow / blockRows) * depth);
            var shifts = TLanes.SignShifts(firstRow % blockRows);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref float x0 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 0, count);
                ref float x1 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 1, count);
                ref float x2 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 2, count);
                ref float x3 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 3, count);
                ref float x4 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 4, count);
                ref float x5 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 5, count);
                ref float x6 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 6, count);
                ref float x7 = ref FloatGemm.GatheredColumn(ref values, ref columnOffsets, p, 7, count);
                TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (int k = 0; k < depth; k++)
                {
                    var sign = TLanes.SignBits(Unsafe.Add(ref blockMasks, k), shifts);
                    nint at = Unsafe.Add(ref depthOffsets, k);
                    s0 = TLanes.AddSigned(s0, Unsafe.Add(ref x0, at), sign);
                    s1 = TLanes.AddSigned(s1, Unsafe.Add(ref x1, at), sign);
                    s2 = TLanes.AddSigned(s2, Unsafe.Add(ref x2, at), sign);
                    s3 = TLanes.AddSigned(s3, Unsafe.Add(ref x3, at), sign);
                    s4 = TLanes.AddSigned(s4, Unsafe.Add(ref x4, at), sign);
                    s5 = TLanes.AddSigned(s5, Unsafe.Add(ref x5, at), sign);
                    s6 = TLanes.AddSigned(s6, Unsafe.Add(ref x6, at), sign);
                    s7 = TLanes.AddSigned(s7, Unsafe.Add(ref x7, at), sign);
                }
                TLanes.Store(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, firstRow, p);
            }
        }
    }
}
