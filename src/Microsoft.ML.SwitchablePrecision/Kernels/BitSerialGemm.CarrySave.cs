using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class BitSerialGemm
{
    // Words per carry-save block: sixteen products w & x go through fifteen full adders (two vpternlogq each) into
    // the ones, twos, fours and eights registers, and only the carry out of the eights (the sixteens) is counted.
    private const int CarrySaveBlock = 16;

    // Sixteens counts gain at most 8 per byte and block, so they are folded every 31 blocks.
    private const int BlocksPerFlush = 31;

    /// <summary>
    /// The AVX-512 form for <paramref name="wordsPerPlane"/> words and <paramref name="activationBits"/> planes:
    /// carry-save where a plane has at least two full blocks, or one with two or more planes, else the nibble lookup
    /// (where carry-save measured faster, docs/kernels.md, "Carry-save popcount").
    /// </summary>
    public static BitSerialAvx512Form Avx512FormFor(int wordsPerPlane, int activationBits) =>
        wordsPerPlane >= CarrySaveBlock && wordsPerPlane * activationBits >= 2 * CarrySaveBlock
            ? BitSerialAvx512Form.CarrySave
            : BitSerialAvx512Form.NibbleLookup;

    /// <summary>The AVX-512 variant with its form forced; throws where AVX-512 is missing.</summary>
    public static void MultiplyAvx512(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range, BitSerialAvx512Form form)
    {
        Check(weights, activations, output.Length, layout, range);
        if (!KernelSupport.IsSupported(KernelVariant.Avx512))
            throw new PlatformNotSupportedException($"{nameof(BitSerialGemm)}: the {KernelVariant.Avx512} variant needs CPU features this machine lacks.");
        RunAvx512(weights, activations, output, layout, range, form);
    }

    private static void RunAvx512(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range, BitSerialAvx512Form form)
    {
        if (form == BitSerialAvx512Form.CarrySave) MultiplyCarrySave(weights, activations, output, layout, range);
        else MultiplyAvx512(weights, activations, output, layout, range);
    }

    // Register block: the two 8-row lane groups of the nibble-lookup form x one column, each with its own counters.
    // Planes run from the top bit down; each plane's count is added to the doubled running sum.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyCarrySave(BitSerialWeights weights, BitPlaneColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range)
    {
        int words = weights.WordsPerPlane, bits = activations.Bits, columnWords = activations.WordsPerColumn;
        bool combine = weights.Bits == 2;
        int unitRows = combine ? 8 : 16, wordStride = weights.Bits * BitSerialWeights.BlockRows;
        int blocks = words / CarrySaveBlock;
        var lut = Vector512.Create(Vector128.Create(NibbleCounts));
        ref ulong panel = ref MemoryMarshal.GetReference(weights.Panel);
        ref ulong planes = ref MemoryMarshal.GetReference(activations.Words);
        ref int result = ref MemoryMarshal.GetReference(output);
        var multiplier = Vector512.Create(weights.Multiplier);
        var offset = Vector512.Create(weights.Offset);

        for (int unit = range.RowStart / unitRows; unit * unitRows < range.RowEnd; unit++)
        {
            int firstRow = unit * unitRows;
            ref ulong groupA = ref Unsafe.Add(ref panel, combine ? (unit * words * 2 + 1) * 8 : 2 * unit * words * 8);
            ref ulong groupB = ref Unsafe.Add(ref panel, combine ? unit * words * 2 * 8 : (2 * unit + 1) * words * 8);
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                ref ulong column = ref Unsafe.Add(ref planes, (nint)p * columnWords);
                Vector512<ulong> a = default, b = default;
                for (int plane = bits - 1; plane >= 0; plane--)
                {
                    ref ulong x = ref Unsafe.Add(ref column, plane * words);
                    Vector512<ulong> onesA = default, twosA = default, foursA = default, eightsA = default;
                    Vector512<ulong> onesB = default, twosB = default, foursB = default, eightsB = default;
                    Vector512<byte> sixteensA = default, sixteensB = default;
                    Vector512<ulong> highA = default, highB = default;
                    for (int block = 0; block < blocks; block++)
                    {
                        int w = block * CarrySaveBlock;
                        sixteensA += Count(Sixteen(ref onesA, ref twosA, ref foursA, ref eightsA, ref Unsafe.Add(ref groupA, w * wordStride), wordStride,
                            ref Unsafe.Add(ref x, w)), lut);
                        sixteensB += Count(Sixteen(ref onesB, ref twosB, ref foursB, ref eightsB, ref Unsafe.Add(ref groupB, w * wordStride), wordStride,
                            ref Unsafe.Add(ref x, w)), lut);
                        if ((block + 1) % BlocksPerFlush == 0)
                        {
                            highA += Fold(sixteensA); highB += Fold(sixteensB);
                            sixteensA = default; sixteensB = default;
                        }
                    }
                    // Every weight of the low counters stays below 256 per byte: 8 (8 + 4 + 2 + 1) + 15 * 8 = 240.
                    var lowA = Weighted(onesA, twosA, foursA, eightsA, lut);
                    var lowB = Weighted(onesB, twosB, foursB, eightsB, lut);
                    for (int w = blocks * CarrySaveBlock; w < words; w++)
                    {
                        var xw = Vector512.Create(Unsafe.Add(ref x, w));
                        lowA += Count(Vector512.LoadUnsafe(ref groupA, (nuint)(w * wordStride)) & xw, lut);
                        lowB += Count(Vector512.LoadUnsafe(ref groupB, (nuint)(w * wordStride)) & xw, lut);
                    }
                    a = a + a + Vector512.ShiftLeft(highA + Fold(sixteensA), 4) + Fold(lowA);
                    b = b + b + Vector512.ShiftLeft(highB + Fold(sixteensB), 4) + Fold(lowB);
                }
                int sum = activations.ColumnSums[p];
                if (combine) RowVectors.Store(CombinedAvx512(a, b, multiplier, offset, sum), ref result, layout, range, firstRow, p);
                else RowVectors.Store(SeparateAvx512(a, b, multiplier, offset, sum), ref result, layout, range, firstRow, p);
            }
        }
    }

    // Sixteen words of one lane group ANDed with the column's words, added into the carry-save counters; returns the
    // carry out of the eights (the sixteens).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Sixteen(ref Vector512<ulong> ones, ref Vector512<ulong> twos, ref Vector512<ulong> fours,
        ref Vector512<ulong> eights, ref ulong weights, int stride, ref ulong x)
    {
        var twosA = Add(ref ones, Product(ref weights, stride, ref x, 0), Product(ref weights, stride, ref x, 1));
        var twosB = Add(ref ones, Product(ref weights, stride, ref x, 2), Product(ref weights, stride, ref x, 3));
        var foursA = Add(ref twos, twosA, twosB);
        twosA = Add(ref ones, Product(ref weights, stride, ref x, 4), Product(ref weights, stride, ref x, 5));
        twosB = Add(ref ones, Product(ref weights, stride, ref x, 6), Product(ref weights, stride, ref x, 7));
        var foursB = Add(ref twos, twosA, twosB);
        var eightsA = Add(ref fours, foursA, foursB);
        twosA = Add(ref ones, Product(ref weights, stride, ref x, 8), Product(ref weights, stride, ref x, 9));
        twosB = Add(ref ones, Product(ref weights, stride, ref x, 10), Product(ref weights, stride, ref x, 11));
        foursA = Add(ref twos, twosA, twosB);
        twosA = Add(ref ones, Product(ref weights, stride, ref x, 12), Product(ref weights, stride, ref x, 13));
        twosB = Add(ref ones, Product(ref weights, stride, ref x, 14), Product(ref weights, stride, ref x, 15));
        foursB = Add(ref twos, twosA, twosB);
        var eightsB = Add(ref fours, foursA, foursB);
        return Add(ref eights, eightsA, eightsB);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Product(ref ulong weights, int stride, ref ulong x, int word) =>
        Vector512.LoadUnsafe(ref weights, (nuint)(word * stride)) & Vector512.Create(Unsafe.Add(ref x, word));

    // A full adder per bit: sum = sum ^ a ^ b stays in place, the carry (majority) is returned.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Add(ref Vector512<ulong> sum, Vector512<ulong> a, Vector512<ulong> b)
    {
        const byte xor3 = 0x96, majority = 0xE8; // ternary-logic truth tables of A ^ B ^ C and maj(A, B, C)
        var carry = Avx512F.TernaryLogic(sum, a, b, majority);
        sum = Avx512F.TernaryLogic(sum, a, b, xor3);
        return carry;
    }

    // popcount per byte by two nibble lookups.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Count(Vector512<ulong> value, Vector512<byte> lut)
    {
        var nibble = Vector512.Create((byte)0x0F);
        var bytes = value.AsByte();
        var high = Vector512.ShiftRightLogical(value, 4).AsByte();
        return Avx512BW.Shuffle(lut, bytes & nibble) + Avx512BW.Shuffle(lut, high & nibble);
    }

    // Byte counts of 8 eights + 4 fours + 2 twos + ones, by doubling (at most 8 * 15 = 120 per byte).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Weighted(Vector512<ulong> ones, Vector512<ulong> twos, Vector512<ulong> fours, Vector512<ulong> eights,
        Vector512<byte> lut)
    {
        var counts = Count(eights, lut);
        counts = counts + counts + Count(fours, lut);
        counts = counts + counts + Count(twos, lut);
        return counts + counts + Count(ones, lut);
    }
}
