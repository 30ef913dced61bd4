using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Sums of byte levels, for the column-sum corrections of the integer kernels (<c>sum q</c> over a column). The AVX2
/// variant adds 32 bytes at a time with <c>vpsadbw</c> against zero (four 64-bit partial sums, no overflow for any
/// span an <see cref="int"/> can count); the reference is the plain loop.
/// </summary>
internal static class LevelSums
{
    /// <summary>The sum of <paramref name="levels"/>.</summary>
    public static int Sum(ReadOnlySpan<byte> levels, KernelVariant variant = KernelVariant.Auto)
    {
        if (variant == KernelVariant.Reference || !Avx2.IsSupported || !KernelSupport.VectorsAllowed) return Reference(levels);
        ref byte start = ref MemoryMarshal.GetReference(levels);
        var total = Vector256<ulong>.Zero;
        int i = 0;
        for (; i + 32 <= levels.Length; i += 32)
            total += Avx2.SumAbsoluteDifferences(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256<byte>.Zero).AsUInt64();
        if (i + 16 <= levels.Length)
        {
            total += Vector256.Create(Sse2.SumAbsoluteDifferences(Vector128.LoadUnsafe(ref start, (nuint)i), Vector128<byte>.Zero).AsUInt64(), Vector128<ulong>.Zero);
            i += 16;
        }
        int sum = (int)Vector256.Sum(total);
        for (; i < levels.Length; i++) sum += levels[i];
        return sum;
    }

    /// <summary>The definition: the plain loop.</summary>
    public static int Reference(ReadOnlySpan<byte> levels)
    {
        int sum = 0;
        foreach (byte level in levels) sum += level;
        return sum;
    }

    /// <summary><c>values[i] = 2 values[i] + offset</c>: the halved-weight correction of one column.</summary>
    public static void DoubleAndAdd(Span<int> values, int offset)
    {
        ref int start = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && KernelSupport.VectorsAllowed)
        {
            var add = Vector256.Create(offset);
            for (; i + 8 <= values.Length; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                (v + v + add).StoreUnsafe(ref start, (nuint)i);
            }
        }
        for (; i < values.Length; i++) values[i] = 2 * values[i] + offset;
    }
}
