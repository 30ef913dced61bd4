using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class SignPanelGemm
{
    private static void MultiplyAvx512(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout,
        GemmRange range, Span<float> panel) =>
        MultiplyVector<Vector512<float>, Lanes512>(weights, activations, output, layout, range, panel);

    private static void MultiplyAvx2(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout,
        GemmRange range, Span<float> panel) =>
        MultiplyVector<Vector256<float>, Lanes256>(weights, activations, output, layout, range, panel);

    // Per 16-row block: expand its signs once (K vector stores), then the float microkernel for each vector of rows
    // in the range over every column. The panel is pinned for the call so that its 64-byte alignment holds.
    private static unsafe void MultiplyVector<TVector, TLanes>(SignWeights weights, FloatColumns activations, Span<float> output,
        OutputLayout layout, GemmRange range, Span<float> panel) where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        const int blockRows = SignWeights.BlockRows;
        int rows = TLanes.Rows, depth = weights.Depth;
        ref float result = ref MemoryMarshal.GetReference(output);
        fixed (float* start = panel)
        {
            int skip = (int)((64 - (nint)start % 64) % 64) / sizeof(float);
            ref float expanded = ref Unsafe.Add(ref Unsafe.AsRef<float>(start), skip);
            int expandedBlock = -1;
            for (int unit = range.RowStart / rows; unit * rows < range.RowEnd; unit++)
            {
                int firstRow = unit * rows, block = firstRow / blockRows;
                if (block != expandedBlock)
                {
                    Expand<TVector, TLanes>(weights, block, ref expanded);
                    expandedBlock = block;
                }
                FloatGemm.MultiplyUnit<TVector, TLanes>(ref Unsafe.Add(ref expanded, firstRow % blockRows), depth, activations,
                    ref result, layout, range, firstRow);
            }
        }
    }

    // Panel[k * 16 + r] = -1 where bit r of the block's mask at k is set, else +1: 0 + (1 XOR sign bit), exact.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Expand<TVector, TLanes>(SignWeights weights, int block, ref float panel)
        where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        const int blockRows = SignWeights.BlockRows;
        int rows = TLanes.Rows, depth = weights.Depth;
        ref ushort masks = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(weights.Masks), block * depth);
        var low = TLanes.SignShifts(0);
        if (rows == blockRows)
        {
            for (int k = 0; k < depth; k++)
                Unsafe.As<float, TVector>(ref Unsafe.Add(ref panel, k * blockRows)) =
                    TLanes.AddSigned(default, 1f, TLanes.SignBits(Unsafe.Add(ref masks, k), low));
            return;
        }
        var high = TLanes.SignShifts(rows);
        for (int k = 0; k < depth; k++)
        {
            uint mask = Unsafe.Add(ref masks, k);
            ref float column = ref Unsafe.Add(ref panel, k * blockRows);
            Unsafe.As<float, TVector>(ref column) = TLanes.AddSigned(default, 1f, TLanes.SignBits(mask, low));
            Unsafe.As<float, TVector>(ref Unsafe.Add(ref column, rows)) = TLanes.AddSigned(default, 1f, TLanes.SignBits(mask, high));
        }
    }
}
