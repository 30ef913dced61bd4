using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// What the channel-mask convolution's code depends on in its mask type: <see cref="ushort"/>, <see cref="uint"/> or
/// <see cref="ulong"/>, one bit per input channel. Every member is a constant of the type, so the JIT folds them in
/// each instantiation and the branches on them cost nothing.
/// </summary>
internal static class ChannelMaskWidth<TMask>
    where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
{
    /// <summary>Bits of one mask: the most input channels it holds.</summary>
    // No throw in here: a method that throws is not inlined, and every member must fold to a constant.
    public static int Bits => Unsafe.SizeOf<TMask>() * 8;

    /// <summary>Throws unless the mask type is one of the three the kernels are written for.</summary>
    public static void CheckSupported()
    {
        if (Bits is not (16 or 32 or 64))
            throw new NotSupportedException($"channel masks are 16, 32 or 64 bits; {typeof(TMask).Name} is not one of them.");
    }

    /// <summary>Masks in one 64-bit word (the unit of the scalar reads and of the column sums).</summary>
    public static int MasksPerWord => 64 / Bits;

    /// <summary>
    /// Largest kernel. The AVX-512 variant counts a plane's taps in bytes (8 per tap, 25 taps below 256). The 16-bit
    /// masks count two pixels per 32-bit lane in 16-bit halves, and 8-bit levels of 16 channels under 5x5 taps
    /// (255 x 400) overflow them, so they stop at 4x4 (255 x 256 = 65280).
    /// </summary>
    public static int MaxKernelSize => Bits == 16 ? 4 : 5;

    /// <summary>
    /// Output pixels per vector lane: a 32-bit lane holds the 16-bit masks of two pixels, one mask of wider types.
    /// </summary>
    public static int PixelsPerLane => Bits == 16 ? 2 : 1;

    /// <summary>32-bit lanes one mask spans: 64-bit masks are counted as two 32-bit halves.</summary>
    public static int LaneParts => Bits == 64 ? 2 : 1;

    /// <summary>Writes the low <see cref="Bits"/> bits of <paramref name="mask"/> as one mask (no generic-math conversion in the hot loops).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref TMask target, ulong mask)
    {
        if (Bits == 16) Unsafe.As<TMask, ushort>(ref target) = (ushort)mask;
        else if (Bits == 32) Unsafe.As<TMask, uint>(ref target) = (uint)mask;
        else Unsafe.As<TMask, ulong>(ref target) = mask;
    }

    /// <summary>The mask as a 64-bit word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Word(TMask mask) =>
        Bits == 16 ? Unsafe.As<TMask, ushort>(ref mask) : Bits == 32 ? Unsafe.As<TMask, uint>(ref mask) : Unsafe.As<TMask, ulong>(ref mask);
}
