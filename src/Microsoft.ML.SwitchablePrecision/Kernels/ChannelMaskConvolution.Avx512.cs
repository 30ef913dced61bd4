using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

internal static partial class ChannelMaskConvolution
{
    // Popcounts of 0..15, the table vpshufb looks nibbles up in (one copy per 128-bit lane).
    private static ReadOnlySpan<byte> NibbleCounts => [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

    // Two output pixels x 16 output rows per 512-bit register: 32-bit lane r holds row r's channel mask of a tap in
    // both halves, and the broadcast activation word holds that tap's mask of pixel p (low half) and p + 1 (high
    // half). AND, nibble-lookup popcount per byte, summed over the taps in bytes (at most 8 per tap, 4 taps of 16 x
    // 8 = 128 < 256), widened to 16-bit counts once per plane. The column sums are scalar popcounts of the kernel
    // rows, which run on the scalar ports beside the vector work.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAvx512(ChannelMaskWeights weights, ChannelMaskLayout layout, ReadOnlySpan<ushort> masks, int stride, Span<float> output)
    {
        int size = weights.KernelSize, taps = weights.Taps, rows = weights.Rows, bits = layout.Bits;
        int outHeight = OutHeight(layout, size, stride), outWidth = OutWidth(layout, size, stride), pixels = outHeight * outWidth;
        int paddedWidth = layout.PaddedWidth, planeLength = layout.PlaneLength;
        ulong rowBits = size == ChannelMaskWeights.MaxKernelSize ? ulong.MaxValue : (1UL << (16 * size)) - 1;
        var lut = Vector512.Create(Vector128.Create(NibbleCounts));
        var nibble = Vector512.Create((byte)0x0F);
        var lowBytes = Vector512.Create((ushort)0x00FF);
        var lowHalf = Vector512.Create(0xFFFFu);
        var multiplier = Vector512.Create(weights.Multiplier);
        var offset = Vector512.Create(weights.Offset);
        ref ushort source = ref MemoryMarshal.GetReference(masks);
        ref uint lanes = ref MemoryMarshal.GetReference(weights.Lanes);
        ref float target = ref MemoryMarshal.GetReference(output);
        Span<int> tapOffsets = stackalloc int[ChannelMaskWeights.MaxKernelSize * ChannelMaskWeights.MaxKernelSize];
        for (int t = 0; t < taps; t++) tapOffsets[t] = (t / size) * paddedWidth + t % size;
        ref int tapOffset = ref MemoryMarshal.GetReference(tapOffsets);
        Span<float> partial = stackalloc float[2 * ChannelMaskWeights.GroupRows];

        for (int g = 0; g < weights.Groups; g++)
        {
            ref uint group = ref Unsafe.Add(ref lanes, g * taps * ChannelMaskWeights.GroupRows);
            int groupRows = Math.Min(ChannelMaskWeights.GroupRows, rows - g * ChannelMaskWeights.GroupRows);
            for (int p = 0; p < pixels; p += 2)
            {
                int q = Math.Min(p + 1, pixels - 1);
                int py = p / outWidth, qy = q / outWidth;
                int first = py * stride * paddedWidth + (p - py * outWidth) * stride;
                int second = qy * stride * paddedWidth + (q - qy * outWidth) * stride;
                var counts = Vector512<ushort>.Zero;
                int firstSum = 0, secondSum = 0;
                for (int b = bits - 1; b >= 0; b--)
                {
                    ref ushort plane = ref Unsafe.Add(ref source, b * planeLength);
                    var bytes = Vector512<byte>.Zero;
                    for (int t = 0; t < taps; t++)
                    {
                        int at = Unsafe.Add(ref tapOffset, t);
                        uint pair = Unsafe.Add(ref plane, first + at) | (uint)Unsafe.Add(ref plane, second + at) << 16;
                        var x = Vector512.Create(pair).AsByte();
                        var xHigh = Vector512.ShiftRightLogical(x.AsUInt32(), 4).AsByte();
                        var w = Vector512.LoadUnsafe(ref group, (nuint)(t * ChannelMaskWeights.GroupRows)).AsByte();
                        var wHigh = Vector512.ShiftRightLogical(w.AsUInt32(), 4).AsByte();
                        const byte and3 = 0x80; // A & B & C in ternary-logic truth-table encoding
                        bytes += Avx512BW.Shuffle(lut, Avx512F.TernaryLogic(w, x, nibble, and3))
                            + Avx512BW.Shuffle(lut, Avx512F.TernaryLogic(wHigh, xHigh, nibble, and3));
                    }
                    var words = bytes.AsUInt16();
                    counts = counts + counts + (words & lowBytes) + Vector512.ShiftRightLogical(words, 8);
                    int rowSumFirst = 0, rowSumSecond = 0;
                    for (int i = 0; i < size; i++)
                    {
                        rowSumFirst += BitOperations.PopCount(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(
                            ref Unsafe.Add(ref plane, first + i * paddedWidth))) & rowBits);
                        rowSumSecond += BitOperations.PopCount(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(
                            ref Unsafe.Add(ref plane, second + i * paddedWidth))) & rowBits);
                    }
                    firstSum += rowSumFirst << b;
                    secondSum += rowSumSecond << b;
                }
                var both = counts.AsUInt32();
                var firstValues = Vector512.ConvertToSingle((both & lowHalf).AsInt32() * multiplier - offset * firstSum);
                var secondValues = Vector512.ConvertToSingle(Vector512.ShiftRightLogical(both, 16).AsInt32() * multiplier - offset * secondSum);
                int column = g * ChannelMaskWeights.GroupRows;
                if (groupRows == ChannelMaskWeights.GroupRows)
                {
                    firstValues.StoreUnsafe(ref target, (nuint)(p * rows + column));
                    if (q != p) secondValues.StoreUnsafe(ref target, (nuint)(q * rows + column));
                    continue;
                }
                firstValues.StoreUnsafe(ref MemoryMarshal.GetReference(partial));
                secondValues.StoreUnsafe(ref MemoryMarshal.GetReference(partial), ChannelMaskWeights.GroupRows);
                partial[..groupRows].CopyTo(output.Slice(p * rows + column, groupRows));
                if (q != p) partial.Slice(ChannelMaskWeights.GroupRows, groupRows).CopyTo(output.Slice(q * rows + column, groupRows));
            }
        }
    }
}
