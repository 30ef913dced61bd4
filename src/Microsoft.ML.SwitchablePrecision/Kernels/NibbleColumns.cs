using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Levels split into 4-bit halves for <see cref="Int8Gemm.MultiplyNibbles"/>: <c>q = low + 16 high</c>, the low half
/// left in place and the high half written beside it at the same offsets.
/// </summary>
internal static class NibbleColumns
{
    /// <summary>Replaces each level of <paramref name="levels"/> by its low 4 bits and writes its high 4 bits to <paramref name="high"/>.</summary>
    public static void Split(Span<byte> levels, Span<byte> high)
    {
        if (high.Length < levels.Length)
            throw new ArgumentException($"high holds {high.Length} bytes; the levels need {levels.Length}.", nameof(high));
        ref byte source = ref MemoryMarshal.GetReference(levels);
        ref byte target = ref MemoryMarshal.GetReference(high);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && KernelSupport.VectorsAllowed)
        {
            var nibble = Vector256.Create((byte)0x0F);
            for (; i + Vector256<byte>.Count <= levels.Length; i += Vector256<byte>.Count)
            {
                var q = Vector256.LoadUnsafe(ref source, (nuint)i);
                (Vector256.ShiftRightLogical(q.AsUInt16(), 4).AsByte() & nibble).StoreUnsafe(ref target, (nuint)i);
                (q & nibble).StoreUnsafe(ref source, (nuint)i);
            }
        }
        for (; i < levels.Length; i++)
        {
            high[i] = (byte)(levels[i] >> 4);
            levels[i] &= 0x0F;
        }
    }
}
