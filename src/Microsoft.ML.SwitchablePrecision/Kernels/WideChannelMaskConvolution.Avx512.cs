using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class WideChannelMaskConvolution
{
    // Popcounts of 0..15, the table vpshufb looks nibbles up in (one copy per 128-bit lane).
    private static ReadOnlySpan<byte> NibbleCounts => [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

    // One output pixel x 16 output rows per 512-bit register: 32-bit lane r holds row r's channel mask of a tap, the
    // broadcast activation word the tap's mask of the pixel. AND, nibble-lookup popcount per byte, summed over the
    // taps in bytes (at most 8 per tap, 25 taps x 8 = 200 < 256), the four bytes of a lane added by two multiply-adds
    // with ones once per plane. The column sums are scalar popcounts, which run on the scalar ports beside the vector
    // work. Output rows run 16 at a time, with the weights of all taps in registers for 3x3 kernels.
    // Never inlined into the tiered dispatcher (see ChannelMaskConvolution.MultiplyAvx512: a Tier-0 copy of the loop).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx512(WideChannelMaskWeights weights, WideChannelMaskLayout layout, ReadOnlySpan<uint> masks, int stride, Span<float> output)
    {
        int size = weights.KernelSize;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride);
        var context = new PixelContext(weights, layout, masks, output);
        for (int g = 0; g < weights.Groups; g++)
        {
            var taps = new GroupTaps(weights, g);
            for (int oy = 0; oy < outHeight; oy++)
            {
                int rowStart = oy * stride * layout.PaddedWidth;
                for (int ox = 0; ox < outWidth; ox++)
                    Pixel(context, taps, g, rowStart + ox * stride, oy * outWidth + ox);
            }
        }
    }

    /// <summary>What every pixel of one call reads and writes.</summary>
    private readonly ref struct PixelContext(WideChannelMaskWeights weights, WideChannelMaskLayout layout, ReadOnlySpan<uint> masks, Span<float> output)
    {
        public readonly WideChannelMaskWeights Weights = weights;
        public readonly WideChannelMaskLayout Layout = layout;
        public readonly ReadOnlySpan<uint> Masks = masks;
        public readonly Span<float> Output = output;
    }

    /// <summary>A group's weights; for 3x3 kernels the nine taps' low and high nibbles are held as locals (registers).</summary>
    private readonly ref struct GroupTaps
    {
        public readonly ref uint Low;
        public readonly ref uint High;
        public readonly Vector512<byte> L0, L1, L2, L3, L4, L5, L6, L7, L8, H0, H1, H2, H3, H4, H5, H6, H7, H8;

        public GroupTaps(WideChannelMaskWeights weights, int group)
        {
            int start = group * weights.Taps * WideChannelMaskWeights.GroupRows;
            Low = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.LowNibbles), start);
            High = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights.HighNibbles), start);
            if (weights.KernelSize != 3) return;
            L0 = Load(ref Low, 0); L1 = Load(ref Low, 1); L2 = Load(ref Low, 2); L3 = Load(ref Low, 3); L4 = Load(ref Low, 4);
            L5 = Load(ref Low, 5); L6 = Load(ref Low, 6); L7 = Load(ref Low, 7); L8 = Load(ref Low, 8);
            H0 = Load(ref High, 0); H1 = Load(ref High, 1); H2 = Load(ref High, 2); H3 = Load(ref High, 3); H4 = Load(ref High, 4);
            H5 = Load(ref High, 5); H6 = Load(ref High, 6); H7 = Load(ref High, 7); H8 = Load(ref High, 8);
        }

        public static Vector512<byte> Load(ref uint lanes, int tap) =>
            Vector512.LoadUnsafe(ref lanes, (nuint)(tap * WideChannelMaskWeights.GroupRows)).AsByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixel(in PixelContext context, in GroupTaps taps, int group, int first, int p)
    {
        var weights = context.Weights;
        var layout = context.Layout;
        int size = weights.KernelSize, width = layout.PaddedWidth, rows = weights.Rows;
        var lut = Vector512.Create(Vector128.Create(NibbleCounts));
        var byteOnes = Vector512.Create((sbyte)1);
        var wordOnes = Vector512.Create((short)1);
        ref uint source = ref MemoryMarshal.GetReference(context.Masks);
        var counts = Vector512<int>.Zero;
        int columnSum = 0;
        for (int b = layout.Bits - 1; b >= 0; b--)
        {
            ref uint at = ref Unsafe.Add(ref source, b * layout.PlaneLength + first);
            Vector512<byte> bytes;
            int planeSum = 0;
            if (size == 3)
            {
                ref uint middle = ref Unsafe.Add(ref at, width);
                ref uint last = ref Unsafe.Add(ref at, 2 * width);
                bytes = Tap(at, taps.L0, taps.H0, lut) + Tap(Unsafe.Add(ref at, 1), taps.L1, taps.H1, lut)
                    + Tap(Unsafe.Add(ref at, 2), taps.L2, taps.H2, lut)
                    + Tap(middle, taps.L3, taps.H3, lut) + Tap(Unsafe.Add(ref middle, 1), taps.L4, taps.H4, lut)
                    + Tap(Unsafe.Add(ref middle, 2), taps.L5, taps.H5, lut)
                    + Tap(last, taps.L6, taps.H6, lut) + Tap(Unsafe.Add(ref last, 1), taps.L7, taps.H7, lut)
                    + Tap(Unsafe.Add(ref last, 2), taps.L8, taps.H8, lut);
                // A kernel row's first two masks are one 64-bit read.
                planeSum = BitOperations.PopCount(ReadTwo(ref at)) + BitOperations.PopCount(Unsafe.Add(ref at, 2))
                    + BitOperations.PopCount(ReadTwo(ref middle)) + BitOperations.PopCount(Unsafe.Add(ref middle, 2))
                    + BitOperations.PopCount(ReadTwo(ref last)) + BitOperations.PopCount(Unsafe.Add(ref last, 2));
            }
            else
            {
                bytes = Vector512<byte>.Zero;
                for (int t = 0; t < weights.Taps; t++)
                {
                    uint mask = Unsafe.Add(ref at, (t / size) * width + t % size);
                    bytes += Tap(mask, GroupTaps.Load(ref taps.Low, t), GroupTaps.Load(ref taps.High, t), lut);
                    planeSum += BitOperations.PopCount(mask);
                }
            }
            var sums = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(bytes, byteOnes), wordOnes);
            counts = counts + counts + sums;
            columnSum += planeSum << b;
        }
        var values = Vector512.ConvertToSingle(counts * Vector512.Create(weights.Multiplier) - Vector512.Create(weights.Offset * columnSum));
        int column = group * WideChannelMaskWeights.GroupRows, groupRows = Math.Min(WideChannelMaskWeights.GroupRows, rows - column);
        ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(context.Output), p * rows + column);
        if (groupRows == WideChannelMaskWeights.GroupRows)
        {
            values.StoreUnsafe(ref target);
            return;
        }
        // A partial group: a masked store of its rows only.
        var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(groupRows)).AsSingle();
        unsafe
        {
            Avx512F.MaskStore((float*)Unsafe.AsPointer(ref target), keep, values);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Tap(uint mask, Vector512<byte> low, Vector512<byte> high, Vector512<byte> lut)
    {
        var x = Vector512.Create(mask).AsByte();
        // The weights hold only low nibbles, so the shift's bits from the next byte are masked off by the AND.
        var xHigh = Vector512.ShiftRightLogical(x.AsUInt32(), 4).AsByte();
        return Avx512BW.Shuffle(lut, low & x) + Avx512BW.Shuffle(lut, high & xHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadTwo(ref uint at) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref at));
}
