using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

// The carry-save form of the AVX-512 variant (ChannelMaskAvx512Form.CarrySave): 3x3 kernels, masks of one lane part,
// one or two planes. With two, the 18 products w & x of a pixel pair (9 taps x 2 planes) go through 13 full adders and
// a half adder, two vpternlogd each, where the 2 x 9 nibble lookups per plane needed 36 shuffles; 5 vectors are then
// counted. With one, 9 products go through 5 full adders and 2 half adders, and 4 vectors are counted (8 shuffles, not 18).
internal static partial class ChannelMaskConvolution
{
    /// <summary>The AVX-512 form for a kernel of <paramref name="kernelSize"/> over <paramref name="bits"/> planes of <typeparamref name="TMask"/> masks.</summary>
    public static ChannelMaskAvx512Form Avx512FormFor<TMask>(int kernelSize, int bits)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask> =>
        kernelSize == 3 && bits is 1 or 2 && ChannelMaskWidth<TMask>.LaneParts == 1 ? ChannelMaskAvx512Form.CarrySave : ChannelMaskAvx512Form.NibbleLookup;

    private struct TwoPlaneCarrySavePixels<TMask> : IPixelPair<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public static bool FullBytes => true;

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
        public static bool FullBytes => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
            where TWord : struct, ILaneWord<TMask>
        {
            int width = context.Layout.PaddedWidth, words = ColumnSumWords(context.Weights);
            ulong lastBits = context.Weights.LastWordBits;
            var lut = Vector512.Create(Vector128.Create(NibbleCounts));
            ref TMask plane = ref MemoryMarshal.GetReference(context.Masks);
            KernelRows<TMask, TWord>(ref plane, first, second, width, taps, out var s1, out var s2, out var s3, out var c1, out var c2, out var c3);
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

    // Per byte: popcount over the taps of the low plane's products plus twice the high plane's, at most
    // 8 x 9 + 2 x 8 x 9 = 216; the five counted vectors could hold 8 x (1 + 2 + 4 + 8 + 16) = 248 at most.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> TwoPlaneBytes<TMask, TWord>(ref TMask high, ref TMask low, int first, int second, int width,
        in GroupTaps<TMask> t, Vector512<byte> lut)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        KernelRows<TMask, TWord>(ref low, first, second, width, t, out var s1, out var s2, out var s3, out var c1, out var c2, out var c3);
        var ones = Add(s1, s2, s3, out var c4);
        KernelRows<TMask, TWord>(ref high, first, second, width, t, out var t1, out var t2, out var t3, out var d1, out var d2, out var d3);
        var t4 = Add(c1, c2, c3, out var d4);
        var t5 = Add(t1, t2, t3, out var d5);
        var twos = Add(t4, t5, c4, out var d6);
        var u1 = Add(d1, d2, d3, out var e1);
        var u2 = Add(d4, d5, d6, out var e2);
        var fours = u1 ^ u2;
        var eights = Add(e1, e2, u1 & u2, out var sixteens);
        var weighted = Count(sixteens, lut);
        weighted = weighted + weighted + Count(eights, lut);
        weighted = weighted + weighted + Count(fours, lut);
        weighted = weighted + weighted + Count(twos, lut);
        return weighted + weighted + Count(ones, lut);
    }

    // The nine products of one plane through three full adders, one per kernel row: their sums and carries.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelRows<TMask, TWord>(ref TMask plane, int first, int second, int width, in GroupTaps<TMask> t,
        out Vector512<byte> top, out Vector512<byte> middle, out Vector512<byte> bottom,
        out Vector512<byte> topCarry, out Vector512<byte> middleCarry, out Vector512<byte> bottomCarry)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        int w2 = 2 * width;
        top = Add(Product<TMask, TWord>(ref plane, first, second, 0, t.L0), Product<TMask, TWord>(ref plane, first, second, 1, t.L1),
            Product<TMask, TWord>(ref plane, first, second, 2, t.L2), out topCarry);
        middle = Add(Product<TMask, TWord>(ref plane, first, second, width, t.L3), Product<TMask, TWord>(ref plane, first, second, width + 1, t.L4),
            Product<TMask, TWord>(ref plane, first, second, width + 2, t.L5), out middleCarry);
        bottom = Add(Product<TMask, TWord>(ref plane, first, second, w2, t.L6), Product<TMask, TWord>(ref plane, first, second, w2 + 1, t.L7),
            Product<TMask, TWord>(ref plane, first, second, w2 + 2, t.L8), out bottomCarry);
    }

    // One tap's product: the broadcast pixel-pair word of a plane at offset `at` AND the tap's full weight bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Product<TMask, TWord>(ref TMask plane, int first, int second, int at, Vector512<byte> weights)
        where TMask : unmanaged
        where TWord : struct, ILaneWord<TMask> =>
        weights & Vector512.Create(TWord.Read(ref plane, first + at, second + at, 0)).AsByte();

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
