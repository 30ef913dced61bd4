using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// The integer kernels' int32 sums turned into the float accumulators an output stage reads, in place: the kernels
/// write into the accumulator memory viewed as <see cref="int"/> (<see cref="AsIntegers"/>) and one vector pass converts
/// it, so no separate integer buffer is written and read back. Each element is read and written at its own index, so
/// converting in place is exact (<c>(float)i</c>, round to nearest even, as the scalar cast).
/// </summary>
internal static class IntegerAccumulators
{
    /// <summary>The accumulator memory as int32 sums for a kernel to write.</summary>
    public static Span<int> AsIntegers(Span<float> accumulators) => MemoryMarshal.Cast<float, int>(accumulators);

    /// <summary>Converts the int32 values stored in <paramref name="accumulators"/> to floats in place.</summary>
    public static void ConvertInPlace(Span<float> accumulators, KernelVariant variant = KernelVariant.Auto)
    {
        var integers = AsIntegers(accumulators);
        if (variant == KernelVariant.Reference || !Vector256.IsHardwareAccelerated || !KernelSupport.VectorsAllowed)
        {
            Reference(integers, accumulators);
            return;
        }
        ref int source = ref MemoryMarshal.GetReference(integers);
        ref float target = ref MemoryMarshal.GetReference(accumulators);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= integers.Length; i += 16)
                Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        for (; i + 8 <= integers.Length; i += 8)
            Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        for (; i < integers.Length; i++) Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i);
    }

    /// <summary>The definition: <c>target[i] = (float)source[i]</c>, element by element.</summary>
    public static void Reference(ReadOnlySpan<int> source, Span<float> target)
    {
        for (int i = 0; i < source.Length; i++) target[i] = source[i];
    }
}
