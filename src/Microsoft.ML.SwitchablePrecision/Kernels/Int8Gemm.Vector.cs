using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class Int8Gemm
{
    private const int VectorColumns = 4;

    // One quad step, chosen at compile time: the JIT specialises MultiplyVector for each struct.
    private interface IQuadProduct
    {
        static abstract Vector256<int> Add(Vector256<int> sum, Vector256<byte> x, Vector256<sbyte> w);
    }

    private static void MultiplyVector<TStep>(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range) where TStep : struct, IQuadProduct
    {
        if (activations.IsGathered) MultiplyVector<TStep, GatheredColumns>(weights, activations, output, layout, range);
        else MultiplyVector<TStep, DenseColumns>(weights, activations, output, layout, range);
    }

    // Dense or gathered addressing, chosen at compile time so the dense loop carries no table reads.
    private interface IColumnAddressing
    {
        static abstract bool Gathered { get; }
    }

    private readonly struct DenseColumns : IColumnAddressing
    {
        public static bool Gathered => false;
    }

    private readonly struct GatheredColumns : IColumnAddressing
    {
        public static bool Gathered => true;
    }

    // Register block: two 8-row blocks (one int32 lane per row) x four columns, eight accumulators. Per quad of K, the
    // four activation bytes of a column are broadcast to every lane and multiplied with that quad of 8 weight rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyVector<TStep, TColumns>(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range) where TStep : struct, IQuadProduct where TColumns : struct, IColumnAddressing
    {
        const int unitRows = 2 * Int8Weights.BlockRows, blockBytes = Int8Weights.BlockRows * Int8Weights.QuadSize;
        int quads = weights.Quads, stride = activations.ColumnStride;
        ref sbyte panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref byte levels = ref MemoryMarshal.GetReference(activations.Levels);
        ref int columnOffsets = ref MemoryMarshal.GetReference(activations.ColumnOffsets);
        ref int quadOffsets = ref MemoryMarshal.GetReference(activations.QuadOffsets);
        ref int result = ref MemoryMarshal.GetReference(output);
        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            ref sbyte blockA = ref Unsafe.Add(ref panel, 2 * unit * quads * blockBytes);
            ref sbyte blockB = ref Unsafe.Add(ref blockA, quads * blockBytes);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p += VectorColumns)
            {
                int count = Math.Min(VectorColumns, range.ColumnEnd - p);
                ref byte x0 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p, stride));
                ref byte x1 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(1, count - 1), stride));
                ref byte x2 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(2, count - 1), stride));
                ref byte x3 = ref Unsafe.Add(ref levels, Start<TColumns>(ref columnOffsets, p + Math.Min(3, count - 1), stride));
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int q = 0; q < quads; q++)
                {
                    var wa = Vector256.LoadUnsafe(ref blockA, (nuint)(q * blockBytes));
                    var wb = Vector256.LoadUnsafe(ref blockB, (nuint)(q * blockBytes));
                    int k = TColumns.Gathered ? Unsafe.Add(ref quadOffsets, q) : q * Int8Weights.QuadSize;
                    var x = Quad(ref x0, k);
                    a0 = TStep.Add(a0, x, wa); b0 = TStep.Add(b0, x, wb);
                    x = Quad(ref x1, k);
                    a1 = TStep.Add(a1, x, wa); b1 = TStep.Add(b1, x, wb);
                    x = Quad(ref x2, k);
                    a2 = TStep.Add(a2, x, wa); b2 = TStep.Add(b2, x, wb);
                    x = Quad(ref x3, k);
                    a3 = TStep.Add(a3, x, wa); b3 = TStep.Add(b3, x, wb);
                }
                RowVectors.Store4(a0, a1, a2, a3, count, ref result, layout, range, firstRow, p);
                RowVectors.Store4(b0, b1, b2, b3, count, ref result, layout, range, firstRow + Int8Weights.BlockRows, p);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Start<TColumns>(ref int columnOffsets, int p, int stride) where TColumns : struct, IColumnAddressing =>
        TColumns.Gathered ? Unsafe.Add(ref columnOffsets, p) : (nint)p * stride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Quad(ref byte column, int k) =>
        Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref column, k))).AsByte();

    // vpdpbusd: four u8 x s8 products summed into each int32 lane.
    private readonly struct Vnni : IQuadProduct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Add(Vector256<int> sum, Vector256<byte> x, Vector256<sbyte> w) => AvxVnni.MultiplyWideningAndAdd(sum, x, w);
    }

    // vpmaddubsw pair sums widened and summed by vpmaddwd.
    private readonly struct PairSums : IQuadProduct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Add(Vector256<int> sum, Vector256<byte> x, Vector256<sbyte> w) =>
            sum + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w), Vector256.Create((short)1));
    }

    // q = (q & 127) + 128 (q >> 7): both halves' pair sums are exact; the top half is weighted by 128 in vpmaddwd.
    private readonly struct SplitPairSums : IQuadProduct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Add(Vector256<int> sum, Vector256<byte> x, Vector256<sbyte> w)
        {
            var low = x & Vector256.Create((byte)0x7F);
            var top = Vector256.ShiftRightLogical(x.AsUInt16(), 7).AsByte() & Vector256.Create((byte)1);
            return sum + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(low, w), Vector256.Create((short)1))
                       + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(top, w), Vector256.Create((short)128));
        }
    }

    private static void MultiplyVnni(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range) =>
        MultiplyVector<Vnni>(weights, activations, output, layout, range);

    // Pair sums of vpmaddubsw are exact when |q0 w0 + q1 w1| <= 32767: always if q <= 127 or |w| <= 64 (GroupedQuads).
    private static void MultiplyAvx2(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range) =>
        RunAvx2(weights, activations, output, layout, range, Avx2FormFor(weights, activations.Bits));

    /// <summary>
    /// The AVX2 form the Avx2 variant uses: grouped pair sums where two or more quads fit a group, plain pair sums where
    /// only one does, else the int16 words (each measured faster than the next where it is exact, docs/kernels.md,
    /// issue 13; the words beat the split pair sums and the float32 GEMM on the level values).
    /// </summary>
    public static Int8Avx2Form Avx2FormFor(Int8Weights weights, int activationBits) => GroupedQuads(weights, activationBits) switch
    {
        0 => Int8Avx2Form.Words,
        1 => Int8Avx2Form.PairSums,
        _ => Int8Avx2Form.GroupedPairSums,
    };

    /// <summary>The AVX2 variant with its form forced; throws where the form would not be exact or AVX2 is missing.</summary>
    public static void MultiplyAvx2(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range,
        Int8Avx2Form form)
    {
        Check(weights, activations, output.Length, layout, range);
        if (!KernelSupport.IsSupported(KernelVariant.Avx2))
            throw new PlatformNotSupportedException($"{nameof(Int8Gemm)}: the {KernelVariant.Avx2} variant needs CPU features this machine lacks.");
        if (form is (Int8Avx2Form.PairSums or Int8Avx2Form.GroupedPairSums) && GroupedQuads(weights, activations.Bits) == 0)
            throw new ArgumentException(
                $"{form} is not exact for {activations.Bits}-bit levels with weights up to {weights.MaxMagnitude} in magnitude (a pair sum could exceed 32767).",
                nameof(form));
        RunAvx2(weights, activations, output, layout, range, form);
    }

    private static void RunAvx2(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range,
        Int8Avx2Form form)
    {
        switch (form)
        {
            case Int8Avx2Form.PairSums: MultiplyVector<PairSums>(weights, activations, output, layout, range); break;
            case Int8Avx2Form.GroupedPairSums: MultiplyGrouped(weights, activations, output, layout, range); break;
            case Int8Avx2Form.SplitPairSums: MultiplyVector<SplitPairSums>(weights, activations, output, layout, range); break;
            default: MultiplyWords(weights, activations, output, layout, range); break;
        }
    }
}
