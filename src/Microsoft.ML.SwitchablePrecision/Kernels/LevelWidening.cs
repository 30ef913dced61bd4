using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>Activation levels widened from bytes to 16-bit integers, the input of <see cref="Int16Gemm"/>.</summary>
internal static class LevelWidening
{
    /// <summary>Writes <c>target[i] = source[i]</c> (zero-extended) for every element of <paramref name="source"/>.</summary>
    // Fully optimised from the first call: at tier 0 the vector loop ran about 20x slower (KernelBenchmark --mode int8-avx2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(ReadOnlySpan<byte> source, Span<short> target)
    {
        if (target.Length < source.Length)
            throw new ArgumentException($"target holds {target.Length} elements; expected at least {source.Length}.", nameof(target));
        if (!Vector256.IsHardwareAccelerated || !KernelSupport.VectorsAllowed)
        {
            Reference(source, target);
            return;
        }
        int count = source.Length, i = 0;
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref short to = ref MemoryMarshal.GetReference(target);
        for (; i + Vector256<byte>.Count <= count; i += Vector256<byte>.Count)
        {
            var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref from, (nuint)i));
            low.AsInt16().StoreUnsafe(ref to, (nuint)i);
            high.AsInt16().StoreUnsafe(ref to, (nuint)(i + Vector256<short>.Count));
        }
        Reference(source[i..], target[i..]);
    }

    /// <summary>The definition, one element at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(ReadOnlySpan<byte> source, Span<short> target)
    {
        for (int i = 0; i < source.Length; i++) target[i] = source[i];
    }
}
