using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// One vector of float lanes, one lane per weight row, as the float kernels use it: 16 rows with AVX-512, 8 with AVX2.
/// The kernels are written once over this interface; the JIT specialises them for each struct, so nothing is virtual.
/// </summary>
internal interface IFloatLanes<TVector> where TVector : struct
{
    /// <summary>Rows per vector.</summary>
    static abstract int Rows { get; }

    static abstract TVector Load(ref float source);

    /// <summary><c>sum + w * x</c>, one rounding.</summary>
    static abstract TVector MultiplyAdd(TVector w, float x, TVector sum);

    /// <summary><c>sum + (x with its sign flipped where sign has bit 31 set)</c>.</summary>
    static abstract TVector AddSigned(TVector sum, float x, TVector sign);

    /// <summary>Per lane r, the left shift <c>31 - (firstBit + r)</c> that <see cref="SignBits"/> uses (uint bits in the vector).</summary>
    static abstract TVector SignShifts(int firstBit);

    /// <summary>Lane r gets bit 31 set where bit <c>firstBit + r</c> of <paramref name="mask"/> is set.</summary>
    static abstract TVector SignBits(uint mask, TVector shifts);

    static abstract void Store(TVector s0, TVector s1, TVector s2, TVector s3, TVector s4, TVector s5, TVector s6, TVector s7,
        int count, ref float output, OutputLayout layout, GemmRange range, int firstRow, int column);
}

/// <summary>16 rows in a 512-bit vector.</summary>
internal readonly struct Lanes512 : IFloatLanes<Vector512<float>>
{
    public static int Rows => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> w, float x, Vector512<float> sum) =>
        Avx512F.FusedMultiplyAdd(w, Vector512.Create(x), sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AddSigned(Vector512<float> sum, float x, Vector512<float> sign) => sum + (Vector512.Create(x) ^ sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SignShifts(int firstBit) =>
        (Vector512.Create((uint)(31 - firstBit)) - Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SignBits(uint mask, Vector512<float> shifts) =>
        (Avx512F.ShiftLeftLogicalVariable(Vector512.Create(mask), shifts.AsUInt32()) & Vector512.Create(0x80000000u)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, Vector512<float> s4,
        Vector512<float> s5, Vector512<float> s6, Vector512<float> s7, int count, ref float output, OutputLayout layout, GemmRange range,
        int firstRow, int column)
    {
        ref int target = ref Unsafe.As<float, int>(ref output);
        RowVectors.Store4(s0.AsInt32(), s1.AsInt32(), s2.AsInt32(), s3.AsInt32(), Math.Min(count, 4), ref target, layout, range, firstRow, column);
        if (count > 4)
            RowVectors.Store4(s4.AsInt32(), s5.AsInt32(), s6.AsInt32(), s7.AsInt32(), count - 4, ref target, layout, range, firstRow, column + 4);
    }
}

/// <summary>8 rows in a 256-bit vector (AVX2 and FMA).</summary>
internal readonly struct Lanes256 : IFloatLanes<Vector256<float>>
{
    public static int Rows => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> w, float x, Vector256<float> sum) =>
        Fma.MultiplyAdd(w, Vector256.Create(x), sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AddSigned(Vector256<float> sum, float x, Vector256<float> sign) => sum + (Vector256.Create(x) ^ sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SignShifts(int firstBit) =>
        (Vector256.Create((uint)(31 - firstBit)) - Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SignBits(uint mask, Vector256<float> shifts) =>
        (Avx2.ShiftLeftLogicalVariable(Vector256.Create(mask), shifts.AsUInt32()) & Vector256.Create(0x80000000u)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3, Vector256<float> s4,
        Vector256<float> s5, Vector256<float> s6, Vector256<float> s7, int count, ref float output, OutputLayout layout, GemmRange range,
        int firstRow, int column)
    {
        ref int target = ref Unsafe.As<float, int>(ref output);
        RowVectors.Store4(s0.AsInt32(), s1.AsInt32(), s2.AsInt32(), s3.AsInt32(), Math.Min(count, 4), ref target, layout, range, firstRow, column);
        if (count > 4)
            RowVectors.Store4(s4.AsInt32(), s5.AsInt32(), s6.AsInt32(), s7.AsInt32(), count - 4, ref target, layout, range, firstRow, column + 4);
    }
}
