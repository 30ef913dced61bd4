using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class SignAccumulateGemm
{
    private const int VectorColumns = 8;

    // Register block: one 16-row block x eight columns. Per k the block's 16-bit negative mask becomes a vector of
    // float sign bits (lane r shifted so that bit r lands in bit 31); each column's broadcast activation is XORed with
    // it (negated where the weight is -1) and added: an XOR and an add per 16 products, no multiply.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx512(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        const int rows = SignWeights.BlockRows;
        int depth = weights.Depth, stride = activations.ColumnStride;
        ref ushort masks = ref MemoryMarshal.GetArrayDataReference(weights.Masks);
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref float result = ref MemoryMarshal.GetReference(output);
        var shifts = Vector512.Create(31u, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16);
        var signBit = Vector512.Create(0x80000000u);
        for (int block = range.RowStart / rows; block * rows < range.RowEnd; block++)
        {
            ref ushort blockMasks = ref Unsafe.Add(ref masks, block * depth);
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
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
                for (int k = 0; k < depth; k++)
                {
                    var sign = (Avx512F.ShiftLeftLogicalVariable(Vector512.Create((uint)Unsafe.Add(ref blockMasks, k)), shifts) & signBit).AsSingle();
                    s0 += Vector512.Create(Unsafe.Add(ref x0, k)) ^ sign;
                    s1 += Vector512.Create(Unsafe.Add(ref x1, k)) ^ sign;
                    s2 += Vector512.Create(Unsafe.Add(ref x2, k)) ^ sign;
                    s3 += Vector512.Create(Unsafe.Add(ref x3, k)) ^ sign;
                    s4 += Vector512.Create(Unsafe.Add(ref x4, k)) ^ sign;
                    s5 += Vector512.Create(Unsafe.Add(ref x5, k)) ^ sign;
                    s6 += Vector512.Create(Unsafe.Add(ref x6, k)) ^ sign;
                    s7 += Vector512.Create(Unsafe.Add(ref x7, k)) ^ sign;
                }
                FloatGemm.StoreColumns(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, block * rows, p);
            }
        }
    }

    // Half a block (8 rows) x eight columns with 256-bit vectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx2(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        const int rows = SignWeights.BlockRows, half = rows / 2;
        int depth = weights.Depth, stride = activations.ColumnStride;
        ref ushort masks = ref MemoryMarshal.GetArrayDataReference(weights.Masks);
        ref float values = ref MemoryMarshal.GetReference(activations.Values);
        ref float result = ref MemoryMarshal.GetReference(output);
        var signBit = Vector256.Create(0x80000000u);
        for (int unit = range.RowStart / half; unit * half < range.RowEnd; unit++)
        {
            ref ushort blockMasks = ref Unsafe.Add(ref masks, (unit / 2) * depth);
            uint top = (uint)(31 - (unit % 2) * half);
            var shifts = Vector256.Create(top, top - 1, top - 2, top - 3, top - 4, top - 5, top - 6, top - 7);
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
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
                for (int k = 0; k < depth; k++)
                {
                    var sign = (Avx2.ShiftLeftLogicalVariable(Vector256.Create((uint)Unsafe.Add(ref blockMasks, k)), shifts) & signBit).AsSingle();
                    s0 += Vector256.Create(Unsafe.Add(ref x0, k)) ^ sign;
                    s1 += Vector256.Create(Unsafe.Add(ref x1, k)) ^ sign;
                    s2 += Vector256.Create(Unsafe.Add(ref x2, k)) ^ sign;
                    s3 += Vector256.Create(Unsafe.Add(ref x3, k)) ^ sign;
                    s4 += Vector256.Create(Unsafe.Add(ref x4, k)) ^ sign;
                    s5 += Vector256.Create(Unsafe.Add(ref x5, k)) ^ sign;
                    s6 += Vector256.Create(Unsafe.Add(ref x6, k)) ^ sign;
                    s7 += Vector256.Create(Unsafe.Add(ref x7, k)) ^ sign;
                }
                FloatGemm.StoreColumns(s0, s1, s2, s3, s4, s5, s6, s7, count, ref result, layout, range, unit * half, p);
            }
        }
    }
}
