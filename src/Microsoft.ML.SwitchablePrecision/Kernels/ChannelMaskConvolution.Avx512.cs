using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class ChannelMaskConvolution
{
    // 16 output rows per 512-bit register: 32-bit lane r holds row r's channel mask of a tap (16-bit masks twice, 64-bit
    // masks one half per part), and the broadcast activation word holds that tap's mask of the pixel (16-bit masks: of
    // pixel p in the low half and of the next pixel in the high half; 64-bit masks: one half). AND, nibble-lookup
    // popcount per byte, summed over the taps in bytes (at most 8 per tap and part, 25 taps x 8 = 200 < 256), folded
    // once per plane: 16-bit masks into 16-bit counts per pixel, the others by two multiply-adds with ones into 32-bit
    // lane counts. The column sums are scalar popcounts of the kernel rows' 64-bit words, which run on the scalar
    // ports beside the vector work. Output rows run 16 at a time, with the weights of all taps read once per group for
    // 3x3 kernels (GroupTaps); 16-bit masks pair the pixels of one output row (an odd last one alone). That is the nibble-
    // lookup form; 3x3 kernels on one or two planes have a carry-save form (ChannelMaskConvolution.CarrySave.cs) that
    // shares the loop, the column sums and the store.
    internal static void MultiplyAvx512<TMask>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks, int stride,
        Span<float> output, ChannelMaskAvx512Form form)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        if (form == ChannelMaskAvx512Form.NibbleLookup)
        {
            PixelLoop<TMask, LookupPixels<TMask>>(weights, layout, masks, stride, output);
            return;
        }
        if (Avx512FormFor<TMask>(weights.KernelSize, layout.Bits) != ChannelMaskAvx512Form.CarrySave)
            throw new ArgumentException("the carry-save form serves 3x3 kernels on 1 or 2 planes, not a " +
                $"{weights.KernelSize}x{weights.KernelSize} kernel on {layout.Bits} planes of {ChannelMaskWidth<TMask>.Bits}-bit masks.", nameof(form));
        if (ChannelMaskWidth<TMask>.LaneParts == 2) PixelLoop<TMask, TwoPartCarrySavePixels<TMask>>(weights, layout, masks, stride, output);
        else if (layout.Bits == 1) PixelLoop<TMask, OnePlaneCarrySavePixels<TMask>>(weights, layout, masks, stride, output);
        else PixelLoop<TMask, TwoPlaneCarrySavePixels<TMask>>(weights, layout, masks, stride, output);
    }

    /// <summary>How one form computes the output of a pixel pair (<c>first</c>, <c>second</c>) for one group of rows.</summary>
    private interface IPixelPair<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        /// <summary>Whether the form holds a 3x3 kernel's taps as nibbles (the lookup) or as whole bytes (the carry-save form) in <see cref="GroupTaps{TMask}"/>.</summary>
        static abstract bool NibbleTaps { get; }

        static abstract void Run<TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
            where TWord : struct, ILaneWord<TMask>;
    }

    private struct LookupPixels<TMask> : IPixelPair<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public static bool NibbleTaps => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
            where TWord : struct, ILaneWord<TMask> => Pixels<TMask, TWord>(context, taps, group, first, second, p, q);
    }

    // Never inlined into the tiered dispatcher: there tiered PGO once ran out of inlining budget and called a Tier-0
    // copy of the pair loop, 50-100x slower (seen in KernelBenchmark --mode channel-masks). One compiled loop per form
    // for the pixels read as one contiguous word (single pixels, or pairs of neighbours at stride 1); the pairs of two
    // masks (stride 2, and a row's odd last pixel) in a loop of their own (TwoMaskColumns).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PixelLoop<TMask, TPixels>(ChannelMaskWeights<TMask> weights, ChannelMaskLayout<TMask> layout, ReadOnlySpan<TMask> masks, int stride,
        Span<float> output)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TPixels : struct, IPixelPair<TMask>
    {
        int size = weights.KernelSize, step = ChannelMaskWidth<TMask>.PixelsPerLane;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride);
        int contiguous = step == 1 ? outWidth : stride == 1 ? outWidth & ~1 : 0;
        var context = new PixelContext<TMask>(weights, layout, masks, output);
        for (int g = 0; g < weights.Groups; g++)
        {
            if (contiguous < outWidth) TwoMaskColumns<TMask, TPixels>(context, g, stride, outHeight, outWidth, contiguous);
            if (contiguous == 0) continue;
            var taps = new GroupTaps<TMask>(weights, g, TPixels.NibbleTaps);
            for (int oy = 0; oy < outHeight; oy++)
            {
                int rowStart = oy * stride * layout.PaddedWidth;
                for (int ox = 0; ox < contiguous; ox += step)
                {
                    int first = rowStart + ox * stride, p = oy * outWidth + ox;
                    TPixels.Run<ContiguousLane<TMask>>(context, taps, g, first, first + step - 1, p, p + step - 1);
                }
            }
        }
    }

    // Output columns [from, outWidth) of every output row of group g, in pairs of two masks (a last one alone). Its own
    // compiled method: inlined beside the contiguous pairs, the two pixel words ran out of inlining budget, and the
    // lane read of every tap became a call to its Tier-0 copy (5-10x slower; KernelBenchmark --mode channel-masks).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TwoMaskColumns<TMask, TPixels>(PixelContext<TMask> context, int group, int stride, int outHeight, int outWidth, int from)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TPixels : struct, IPixelPair<TMask>
    {
        var taps = new GroupTaps<TMask>(context.Weights, group, TPixels.NibbleTaps);
        int width = context.Layout.PaddedWidth;
        for (int oy = 0; oy < outHeight; oy++)
        {
            int rowStart = oy * stride * width;
            for (int ox = from; ox < outWidth; ox += 2)
            {
                bool alone = ox + 1 == outWidth;
                int first = rowStart + ox * stride, p = oy * outWidth + ox;
                TPixels.Run<TwoMasks<TMask>>(context, taps, group, first, alone ? first : first + stride, p, alone ? p : p + 1);
            }
        }
    }

    /// <summary>
    /// A group's weights. For 3x3 kernels the nine taps are held as locals, read once per group (the JIT keeps them in
    /// the stack frame, from where each pixel reloads them from L1): for the nibble lookup (masks of one part) their low
    /// and high nibbles; for the carry-save form their whole bytes, of the first part in the low fields and of the second
    /// (64-bit masks) in the high ones.
    /// </summary>
    private readonly ref struct GroupTaps<TMask>
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        public readonly ref uint Low;
        public readonly ref uint High;
        public readonly Vector512<byte> L0, L1, L2, L3, L4, L5, L6, L7, L8, H0, H1, H2, H3, H4, H5, H6, H7, H8;

        public GroupTaps(ChannelMaskWeights<TMask> weights, int group, bool nibbleTaps)
        {
            int start = group * weights.Taps * ChannelMaskWidth<TMask>.LaneParts * ChannelMaskWeights<TMask>.GroupRows;
            Low = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.LowNibbles), start);
            High = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.HighNibbles), start);
            if (weights.KernelSize != 3) return;
            if (!nibbleTaps)
            {
                int parts = ChannelMaskWidth<TMask>.LaneParts;
                L0 = Whole(0); L1 = Whole(parts); L2 = Whole(2 * parts); L3 = Whole(3 * parts); L4 = Whole(4 * parts);
                L5 = Whole(5 * parts); L6 = Whole(6 * parts); L7 = Whole(7 * parts); L8 = Whole(8 * parts);
                if (parts == 1) return;
                H0 = Whole(1); H1 = Whole(3); H2 = Whole(5); H3 = Whole(7); H4 = Whole(9); H5 = Whole(11); H6 = Whole(13); H7 = Whole(15); H8 = Whole(17);
                return;
            }
            if (ChannelMaskWidth<TMask>.LaneParts != 1) return;
            L0 = Load(ref Low, 0); L1 = Load(ref Low, 1); L2 = Load(ref Low, 2); L3 = Load(ref Low, 3); L4 = Load(ref Low, 4);
            L5 = Load(ref Low, 5); L6 = Load(ref Low, 6); L7 = Load(ref Low, 7); L8 = Load(ref Low, 8);
            H0 = Load(ref High, 0); H1 = Load(ref High, 1); H2 = Load(ref High, 2); H3 = Load(ref High, 3); H4 = Load(ref High, 4);
            H5 = Load(ref High, 5); H6 = Load(ref High, 6); H7 = Load(ref High, 7); H8 = Load(ref High, 8);
        }

        // A tap's weight bytes of one part put together from its two nibbles (the high ones are stored shifted down).
        private Vector512<byte> Whole(int lane) =>
            Load(ref Low, lane) | Vector512.ShiftLeft(Load(ref High, lane).AsUInt32(), 4).AsByte();

        /// <summary>The 16 lanes of one tap and part (<c>tap * parts + part</c>).</summary>
        public static Vector512<byte> Load(ref uint lanes, int lane) =>
            Vector512.LoadUnsafe(ref lanes, (nuint)(lane * ChannelMaskWeights<TMask>.GroupRows)).AsByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixels<TMask, TWord>(in PixelContext<TMask> context, in GroupTaps<TMask> taps, int group, int first, int second, int p, int q)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
        where TWord : struct, ILaneWord<TMask>
    {
        var weights = context.Weights;
        var layout = context.Layout;
        int size = weights.KernelSize, width = layout.PaddedWidth, rows = weights.Rows, parts = ChannelMaskWidth<TMask>.LaneParts;
        bool pairs = ChannelMaskWidth<TMask>.PixelsPerLane == 2;
        int words = ColumnSumWords(weights);
        ulong lastBits = weights.LastWordBits;
        var lut = Vector512.Create(Vector128.Create(NibbleCounts));
        ref TMask source = ref MemoryMarshal.GetReference(context.Masks);
        var counts = Vector512<uint>.Zero;
        int firstSum = 0, secondSum = 0;
        for (int b = layout.Bits - 1; b >= 0; b--)
        {
            ref TMask plane = ref Unsafe.Add(ref source, b * layout.PlaneLength);
            Vector512<byte> bytes, upper = Vector512<byte>.Zero;
            if (size == 3 && parts == 1)
            {
                int w2 = 2 * width;
                bytes = Tap<TMask, TWord>(ref plane, first, second, 0, taps.L0, taps.H0, lut) + Tap<TMask, TWord>(ref plane, first + 1, second + 1, 0, taps.L1, taps.H1, lut)
                    + Tap<TMask, TWord>(ref plane, first + 2, second + 2, 0, taps.L2, taps.H2, lut)
                    + Tap<TMask, TWord>(ref plane, first + width, second + width, 0, taps.L3, taps.H3, lut)
                    + Tap<TMask, TWord>(ref plane, first + width + 1, second + width + 1, 0, taps.L4, taps.H4, lut)
                    + Tap<TMask, TWord>(ref plane, first + width + 2, second + width + 2, 0, taps.L5, taps.H5, lut)
                    + Tap<TMask, TWord>(ref plane, first + w2, second + w2, 0, taps.L6, taps.H6, lut)
                    + Tap<TMask, TWord>(ref plane, first + w2 + 1, second + w2 + 1, 0, taps.L7, taps.H7, lut)
                    + Tap<TMask, TWord>(ref plane, first + w2 + 2, second + w2 + 2, 0, taps.L8, taps.H8, lut);
            }
            else
            {
                bytes = Vector512<byte>.Zero;
                for (int i = 0, lane = 0; i < size; i++)
                    for (int j = 0; j < size; j++)
                    {
                        int at = i * width + j;
                        bytes += Tap<TMask, TWord>(ref plane, first + at, second + at, 0,
                            GroupTaps<TMask>.Load(ref taps.Low, lane), GroupTaps<TMask>.Load(ref taps.High, lane), lut);
                        lane++;
                        if (parts == 1) continue;
                        upper += Tap<TMask, TWord>(ref plane, first + at, second + at, 1,
                            GroupTaps<TMask>.Load(ref taps.Low, lane), GroupTaps<TMask>.Load(ref taps.High, lane), lut);
                        lane++;
                    }
            }
            counts = Fold<TMask>(counts, bytes, upper);
            firstSum += KernelRowSums(ref plane, first, width, size, words, lastBits) << b;
            if (pairs) secondSum += KernelRowSums(ref plane, second, width, size, words, lastBits) << b;
        }
        Store(context, group, p, q, counts, firstSum, secondSum);
    }

    // The lane counts and column sums of a pixel pair as outputs A count - B colsum, stored at their rows (a partial
    // group by a masked store).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TMask>(in PixelContext<TMask> context, int group, int p, int q, Vector512<uint> counts, int firstSum, int secondSum)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        var weights = context.Weights;
        int rows = weights.Rows;
        bool pairs = ChannelMaskWidth<TMask>.PixelsPerLane == 2;
        Vector512<float> firstValues, secondValues;
        var multiplier = Vector512.Create(weights.Multiplier);
        if (pairs)
        {
            firstValues = Vector512.ConvertToSingle((counts & Vector512.Create(0xFFFFu)).AsInt32() * multiplier - Vector512.Create(weights.Offset * firstSum));
            secondValues = Vector512.ConvertToSingle(Vector512.ShiftRightLogical(counts, 16).AsInt32() * multiplier - Vector512.Create(weights.Offset * secondSum));
        }
        else
        {
            firstValues = Vector512.ConvertToSingle(counts.AsInt32() * multiplier - Vector512.Create(weights.Offset * firstSum));
            secondValues = firstValues;
        }
        int column = group * ChannelMaskWeights<TMask>.GroupRows, groupRows = Math.Min(ChannelMaskWeights<TMask>.GroupRows, rows - column);
        ref float target = ref MemoryMarshal.GetReference(context.Output);
        if (groupRows == ChannelMaskWeights<TMask>.GroupRows)
        {
            firstValues.StoreUnsafe(ref target, (nuint)(p * rows + column));
            if (pairs) secondValues.StoreUnsafe(ref target, (nuint)(q * rows + column));
            return;
        }
        // A partial group: a masked store of its rows only.
        var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(groupRows)).AsSingle();
        ref float firstTarget = ref Unsafe.Add(ref target, p * rows + column);
        ref float secondTarget = ref Unsafe.Add(ref target, q * rows + column);
        unsafe
        {
            if (pairs) Avx512F.MaskStore((float*)Unsafe.AsPointer(ref secondTarget), keep, secondValues);
            Avx512F.MaskStore((float*)Unsafe.AsPointer(ref firstTarget), keep, firstValues);
        }
    }

    // A plane's byte counts (of both parts: bytes and upper) added into the lane counts, which double first (the planes
    // run from the top bit down).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Fold<TMask>(Vector512<uint> counts, Vector512<byte> bytes, Vector512<byte> upper)
        where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
    {
        if (ChannelMaskWidth<TMask>.PixelsPerLane == 2)
        {
            // Two pixels' counts in the 16-bit halves of each lane: each half adds its own two bytes.
            var words = bytes.AsUInt16();
            var halves = counts.AsUInt16();
            return (halves + halves + (words & Vector512.Create((ushort)0x00FF)) + Vector512.ShiftRightLogical(words, 8)).AsUInt32();
        }
        if (ChannelMaskWidth<TMask>.LaneParts == 1) return FoldLanes(counts, bytes);
        var byteOnes = Vector512.Create((sbyte)1);
        var pairSums = Avx512BW.MultiplyAddAdjacent(bytes, byteOnes) + Avx512BW.MultiplyAddAdjacent(upper, byteOnes);
        return counts + counts + Avx512BW.MultiplyAddAdjacent(pairSums, Vector512.Create((short)1)).AsUInt32();
    }

    // One pixel per lane: a plane's byte counts, one vector for the whole lane, added into the doubled lane counts.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> FoldLanes(Vector512<uint> counts, Vector512<byte> bytes) =>
        counts + counts + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(bytes, Vector512.Create((sbyte)1)), Vector512.Create((short)1)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Tap<TMask, TWord>(ref TMask plane, int first, int second, int part, Vector512<byte> low, Vector512<byte> high,
        Vector512<byte> lut)
        where TMask : unmanaged
        where TWord : struct, ILaneWord<TMask>
    {
        var x = Vector512.Create(TWord.Read(ref plane, first, second, part)).AsByte();
        // The weights hold only low nibbles, so the shift's bits from the next byte are masked off by the AND.
        var xHigh = Vector512.ShiftRightLogical(x.AsUInt32(), 4).AsByte();
        return Avx512BW.Shuffle(lut, low & x) + Avx512BW.Shuffle(lut, high & xHigh);
    }
}
