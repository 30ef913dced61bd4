using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

// The carry-save form of the AVX-512 variant (ChannelMaskAvx512Form.CarrySave): 3x3 kernels on one or two planes. For
// masks of one lane part with two planes, the 18 products w & x of a pixel pair (9 taps x 2 planes) go through 13 full
// adders and a half adder, two vpternlogd each, where the 2 x 9 nibble lookups per plane needed 36 shuffles; 5 vectors
// are then counted. With one plane, 9 products go through 5 full adders and 2 half adders, and 4 vectors are counted
// (8 shuffles, not 18). 64-bit masks (two lane parts) add a plane's 18 products (9 taps x 2 parts) the same way, 13
// full adders and 3 half adders into 5 vectors (10 shuffles, not 36), and fold plane by plane: two planes' 36 products
// could reach 432 per byte. The taps' whole bytes are put together from the nibbles once per group of 16 rows (GroupTaps).
internal static partial class ChannelMaskConvolution
{
    /// <summary>The AVX-512 form for a kernel of <paramref name="kernelSize"/> over <paramref name="bits"/> planes of <typeparamref name="TMask"/> masks.</summary>
    public static ChannelMaskAvx512Form Avx512FormFor<TMask>(int kernelSize, int bits)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask> =>
        kernelSize == 3 && bits is 1 or 2 ? ChannelMaskAvx512Form.CarrySave : ChannelMaskAvx512Form.NibbleLookup;

    private struct TwoPlaneCarrySavePixels<TMask> : IPixelPair<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public static bool NibbleTaps => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
            where TWord : struct, ILaneWord<TMask>
        {
            var layout = context.Layout;
            int width = layout.PaddedWidth, words = ColumnSumWords(context.Weights);
            ulong lastBits = context.Weights.LastWordBits;
            var lut = Vector512.Create(Vector128.Create(NibbleCounts));
            ref TMask low = ref MemoryMarshal.GetReference(context.Masks);
            ref TMask high = ref Unsafe.Add(ref low, layout.PlaneLength);
            var counts = Fold<TMask>(Vector512<uint>.Zero, TwoPlaneBytes<TMask, TWord>(ref high, ref low, first, second, width, taps, lut), Vector512<byte>.Zero);
            int firstSum = 2 * KernelRowSums(ref high, first, width, 3, words, lastBits) + KernelRowSums(ref low, first, width, 3, words, lastBits);
            int secondSum = ChannelMaskWidth<TMask>.PixelsPerLane == 2
                ? 2 * KernelRowSums(ref high, second, width, 3, words, lastBits) + KernelRowSums(ref low, second, width, 3, words, lastBits)
                : 0;
            Store(context, group, p, q, counts, firstSum, secondSum);
        }
    }

    private struct OnePlaneCarrySavePixels<TMask> : IPixelPair<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public static bool NibbleTaps => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
            where TWord : struct, ILaneWord<TMask>
        {
            int width = context.Layout.PaddedWidth, words = ColumnSumWords(context.Weights);
            ulong lastBits = context.Weights.LastWordBits;
            var lut = Vector512.Create(Vector128.Create(NibbleCounts));
            ref TMask plane = ref MemoryMarshal.GetReference(context.Masks);
            KernelRows<TMask, TWord>(ref plane, first, second, width, taps, 0, out var s1, out var s2, out var s3, out var c1, out var c2, out var c3);
            var ones = Add(s1, s2, s3, out var c4);
            var t = Add(c1, c2, c3, out var d1);
            var twos = t ^ c4;
            var d2 = t & c4;
            var weighted = Count(d1 & d2, lut);
            weighted = weighted + weighted + Count(d1 ^ d2, lut);
            weighted = weighted + weighted + Count(twos, lut);
            weighted = weighted + weighted + Count(ones, lut);
            var counts = Fold<TMask>(Vector512<uint>.Zero, weighted, Vector512<byte>.Zero);
            int firstSum = KernelRowSums(ref plane, first, width, 3, words, lastBits);
            int secondSum = ChannelMaskWidth<TMask>.PixelsPerLane == 2 ? KernelRowSums(ref plane, second, width, 3, words, lastBits) : 0;
            Store(context, group, p, q, counts, firstSum, secondSum);
        }
    }

    // 64-bit masks: a plane's 18 products per pixel (9 taps x 2 parts, one lane for both) counted per byte, at most 144,
    // folded plane by plane.
    private struct TwoPartCarrySavePixels<TMask> : IPixelPair<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public static bool NibbleTaps => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
            where TWord : struct, ILaneWord<TMask>
        {
            var layout = context.Layout;
            int width = layout.PaddedWidth, words = ColumnSumWords(context.Weights);
            ulong lastBits = context.Weights.LastWordBits;
            var lut = Vector512.Create(Vector128.Create(NibbleCounts));
            ref TMask source = ref MemoryMarshal.GetReference(context.Masks);
            var counts = Vector512<uint>.Zero;
            int sum = 0;
            for (int b = layout.Bits - 1; b >= 0; b--)
            {
                ref TMask plane = ref Unsafe.Add(ref source, b * layout.PlaneLength);
                counts = FoldLanes(counts, TwoPartBytes<TMask, TWord>(ref plane, first, width, taps, lut));
                sum += KernelRowSums(ref plane, first, width, 3, words, lastBits) << b;
            }
            Store(context, group, p, q, counts, sum, 0);
        }
    }

    // Both parts' nine products: ones from two full adders and a half adder, then nine twos, four fours and two eights.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> TwoPartBytes<TMask, TWord>(ref TMask plane, int first, int width, in GroupTaps<TMask> t, Vector512<byte> lut)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        KernelRows<TMask, TWord>(ref plane, first, first, width, t, 0, out var s1, out var s2, out var s3, out var c1, out var c2, out var c3);
        var lowOnes = Add(s1, s2, s3, out var c4);
        var u1 = Add(c1, c2, c3, out var e1);
        KernelRows<TMask, TWord>(ref plane, first, first, width, t, 1, out var t1, out var t2, out var t3, out var d1, out var d2, out var d3);
        var highOnes = Add(t1, t2, t3, out var d4);
        var u2 = Add(d1, d2, d3, out var e2);
        var u3 = Add(c4, d4, lowOnes & highOnes, out var e3);
        var twos = Add(u1, u2, u3, out var e4);
        var v = Add(e1, e2, e3, out var f1);
        var f2 = v & e4;
        return Weighted(f1 & f2, f1 ^ f2, v ^ e4, twos, lowOnes ^ highOnes, lut);
    }

    // Per byte: popcount over the taps of the low plane's products plus twice the high plane's, at most
    // 8 x 9 + 2 x 8 x 9 = 216; the five counted vectors could hold 8 x (1 + 2 + 4 + 8 + 16) = 248 at most.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> TwoPlaneBytes<TMask, TWord>(ref TMask high, ref TMask low, int first, int second, int width,
        in GroupTaps<TMask> t, Vector512<byte> lut)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        KernelRows<TMask, TWord>(ref low, first, second, width, t, 0, out var s1, out var s2, out var s3, out var c1, out var c2, out var c3);
        var ones = Add(s1, s2, s3, out var c4);
        KernelRows<TMask, TWord>(ref high, first, second, width, t, 0, out var t1, out var t2, out var t3, out var d1, out var d2, out var d3);
        var t4 = Add(c1, c2, c3, out var d4);
        var t5 = Add(t1, t2, t3, out var d5);
        var twos = Add(t4, t5, c4, out var d6);
        var u1 = Add(d1, d2, d3, out var e1);
        var u2 = Add(d4, d5, d6, out var e2);
        var fours = u1 ^ u2;
        var eights = Add(e1, e2, u1 & u2, out var sixteens);
        return Weighted(sixteens, eights, fours, twos, ones, lut);
    }

    // 16 sixteens + 8 eights + 4 fours + 2 twos + ones, each counted per byte.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Weighted(Vector512<byte> sixteens, Vector512<byte> eights, Vector512<byte> fours, Vector512<byte> twos,
        Vector512<byte> ones, Vector512<byte> lut)
    {
        var weighted = Count(sixteens, lut);
        weighted = weighted + weighted + Count(eights, lut);
        weighted = weighted + weighted + Count(fours, lut);
        weighted = weighted + weighted + Count(twos, lut);
        return weighted + weighted + Count(ones, lut);
    }

    // The nine products of one plane and lane part through three full adders, one per kernel row: their sums and carries.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelRows<TMask, TWord>(ref TMask plane, int first, int second, int width, in GroupTaps<TMask> t, int part,
        out Vector512<byte> top, out Vector512<byte> middle, out Vector512<byte> bottom,
        out Vector512<byte> topCarry, out Vector512<byte> middleCarry, out Vector512<byte> bottomCarry)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        int w2 = 2 * width;
        top = Add(Product<TMask, TWord>(ref plane, first, second, 0, part, part == 0 ? t.L0 : t.H0),
            Product<TMask, TWord>(ref plane, first, second, 1, part, part == 0 ? t.L1 : t.H1),
            Product<TMask, TWord>(ref plane, first, second, 2, part, part == 0 ? t.L2 : t.H2), out topCarry);
        middle = Add(Product<TMask, TWord>(ref plane, first, second, width, part, part == 0 ? t.L3 : t.H3),
            Product<TMask, TWord>(ref plane, first, second, width + 1, part, part == 0 ? t.L4 : t.H4),
            Product<TMask, TWord>(ref plane, first, second, width + 2, part, part == 0 ? t.L5 : t.H5), out middleCarry);
        bottom = Add(Product<TMask, TWord>(ref plane, first, second, w2, part, part == 0 ? t.L6 : t.H6),
            Product<TMask, TWord>(ref plane, first, second, w2 + 1, part, part == 0 ? t.L7 : t.H7),
            Product<TMask, TWord>(ref plane, first, second, w2 + 2, part, part == 0 ? t.L8 : t.H8), out bottomCarry);
    }

    // One tap's product: the broadcast pixel-pair word (or part of a mask) of a plane at offset `at` AND the tap's whole
    // weight bytes of that part.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Product<TMask, TWord>(ref TMask plane, int first, int second, int at, int part, Vector512<byte> weights)
        where TMask : unmanaged
        where TWord : struct, ILaneWord<TMask> =>
        weights & Vector512.Create(TWord.Read(ref plane, first + at, second + at, part)).AsByte();

    // A full adder per bit: returns a ^ b ^ c, and the majority as the carry.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Add(Vector512<byte> a, Vector512<byte> b, Vector512<byte> c, out Vector512<byte> carry)
    {
        const byte xor3 = 0x96, majority = 0xE8; // ternary-logic truth tables of A ^ B ^ C and maj(A, B, C)
        carry = Avx512F.TernaryLogic(a.AsUInt32(), b.AsUInt32(), c.AsUInt32(), majority).AsByte();
        return Avx512F.TernaryLogic(a.AsUInt32(), b.AsUInt32(), c.AsUInt32(), xor3).AsByte();
    }

    // popcount per byte by two nibble lookups.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Count(Vector512<byte> value, Vector512<byte> lut)
    {
        var nibble = Vector512.Create((byte)0x0F);
        var high = Vector512.ShiftRightLogical(value.AsUInt32(), 4).AsByte();
        return Avx512BW.Shuffle(lut, value & nibble) + Avx512BW.Shuffle(lut, high & nibble);
    }
}
