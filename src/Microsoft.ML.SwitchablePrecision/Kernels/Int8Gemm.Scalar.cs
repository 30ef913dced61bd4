using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class Int8Gemm
{
    // Portable: one row against two columns, a quad of K per step (each weight loaded once per two products).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyScalar(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        ref sbyte panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref byte levels = ref MemoryMarshal.GetReference(activations.Levels);
        ref int result = ref MemoryMarshal.GetReference(output);
        int quadStride = Int8Weights.BlockRows * Int8Weights.QuadSize;
        for (int m = range.RowStart; m < range.RowEnd; m++)
        {
            ref sbyte row = ref Unsafe.Add(ref panel, weights.Index(m, 0));
            ref int outRow = ref Unsafe.Add(ref result, (m - range.RowStart) * layout.RowStride);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += 2)
            {
                bool pair = p + 1 < range.ColumnEnd;
                ref byte x0 = ref Unsafe.Add(ref levels, activations.ColumnStart(p));
                ref byte x1 = ref Unsafe.Add(ref levels, activations.ColumnStart(pair ? p + 1 : p));
                int a0 = 0, a1 = 0;
                for (int q = 0; q < weights.Quads; q++)
                {
                    int k = activations.QuadStart(q);
                    ref sbyte w = ref Unsafe.Add(ref row, q * quadStride);
                    for (int i = 0; i < Int8Weights.QuadSize; i++)
                    {
                        int wi = Unsafe.Add(ref w, i);
                        a0 += wi * Unsafe.Add(ref x0, k + i);
                        a1 += wi * Unsafe.Add(ref x1, k + i);
                    }
                }
                Unsafe.Add(ref outRow, (p - range.ColumnStart) * layout.ColumnStride) = a0;
                if (pair) Unsafe.Add(ref outRow, (p + 1 - range.ColumnStart) * layout.ColumnStride) = a1;
            }
        }
    }
}
