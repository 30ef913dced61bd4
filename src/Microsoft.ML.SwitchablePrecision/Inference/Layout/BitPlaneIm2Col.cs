using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Inference.Layout;

/// <summary>
/// im2col of channels-last k-bit levels straight into the bit-serial kernel's column layout (plane <c>b</c> of
/// column <c>p</c> is <c>WordsPerPlane</c> words at <c>(p * bits + b) * WordsPerPlane</c>, bit <c>k % 64</c> of word
/// <c>k / 64</c>). First every input pixel's channels become one bit mask per plane (<see cref="PackPixels"/>, vector
/// compares), then each column ORs the masks of its kernel taps in at bit offset <c>tap * InChannels</c>, and its
/// column sum is the sum of the taps' pixel sums. Padding taps stay 0 (level 0).
/// </summary>
internal static class BitPlaneIm2Col
{
    /// <summary>Words of one pixel's mask in one plane.</summary>
    public static int MaskWords(int channels) => (channels + 63) / 64;

    /// <summary>
    /// Writes <paramref name="masks"/> <c>[pixel, plane, MaskWords]</c> and <paramref name="pixelSums"/> (sum of the
    /// pixel's levels) for one channels-last image of levels.
    /// </summary>
    public static void PackPixels(ReadOnlySpan<byte> image, int channels, int bits, Span<ulong> masks, Span<int> pixelSums)
    {
        int words = MaskWords(channels), pixels = image.Length / channels;
        for (int p = 0; p < pixels; p++)
        {
            var levels = image.Slice(p * channels, channels);
            var target = masks.Slice(p * bits * words, bits * words);
            target.Clear();
            int sum = 0;
            for (int w = 0; w < words; w++)
            {
                var chunk = levels.Slice(w * 64, Math.Min(64, channels - w * 64));
                for (int b = 0; b < bits; b++) target[b * words + w] = PlaneMask(chunk, b);
                foreach (byte level in chunk) sum += level;
            }
            pixelSums[p] = sum;
        }
    }

    /// <summary>Bit <c>c</c> set where bit <paramref name="plane"/> of <c>levels[c]</c> is 1 (at most 64 levels).</summary>
    private static ulong PlaneMask(ReadOnlySpan<byte> levels, int plane)
    {
        byte bit = (byte)(1 << plane);
        ulong mask = 0;
        int c = 0;
        if (Vector256.IsHardwareAccelerated && Kernels.KernelSupport.VectorsAllowed)
        {
            var select = Vector256.Create(bit);
            for (; c + 32 <= levels.Length; c += 32)
            {
                var set = Vector256.Equals(Vector256.Create<byte>(levels.Slice(c, 32)) & select, select);
                mask |= (ulong)set.ExtractMostSignificantBits() << c;
            }
        }
        if (Vector128.IsHardwareAccelerated && Kernels.KernelSupport.VectorsAllowed)
        {
            var select = Vector128.Create(bit);
            for (; c + 16 <= levels.Length; c += 16)
            {
                var set = Vector128.Equals(Vector128.Create<byte>(levels.Slice(c, 16)) & select, select);
                mask |= (ulong)set.ExtractMostSignificantBits() << c;
            }
        }
        for (; c < levels.Length; c++)
            mask |= (ulong)((levels[c] >> plane) & 1) << c;
        return mask;
    }

    /// <summary>
    /// Fills columns <c>[0, shape.OutPixels)</c> of one image (<paramref name="columns"/>, zeroed here) and their sums
    /// from the pixel masks of <see cref="PackPixels"/>. Columns whose taps all lie inside the image and whose pixel
    /// masks are one word (at most 64 channels) take a table of the taps' pixel offsets and bit positions, computed
    /// once per call, with no per-tap bounds checks; the others take <see cref="EdgeColumn"/>, the tap-by-tap definition.
    /// </summary>
    public static void Columns(ConvolutionShape shape, int bits, ReadOnlySpan<ulong> masks, ReadOnlySpan<int> pixelSums,
        int wordsPerPlane, Span<ulong> columns, Span<int> columnSums)
    {
        int channels = shape.InChannels, k = shape.KernelSize, width = shape.OutWidth, wordsPerColumn = bits * wordsPerPlane;
        if (columns.Length < shape.OutPixels * wordsPerColumn || columnSums.Length < shape.OutPixels ||
            masks.Length < shape.Height * shape.Width * bits * MaskWords(channels) || pixelSums.Length < shape.Height * shape.Width ||
            wordsPerPlane * 64 < shape.Depth)
            throw new ArgumentException($"The buffers do not fit {shape.OutPixels} columns of {bits} planes x {wordsPerPlane} words over a {shape.Height}x{shape.Width}x{channels} image.");
        columns[..(shape.OutPixels * wordsPerColumn)].Clear();
        bool oneWord = MaskWords(channels) == 1;
        Span<int> tapPixel = stackalloc int[oneWord ? k * k : 0];
        Span<int> tapWord = stackalloc int[tapPixel.Length];
        Span<int> tapShift = stackalloc int[tapPixel.Length];
        for (int t = 0; t < tapPixel.Length; t++)
        {
            int i = t / k, j = t - i * k, offset = t * channels;
            tapPixel[t] = i * shape.Width + j;
            tapWord[t] = offset >> 6;
            tapShift[t] = offset & 63;
        }
        ref ulong maskStart = ref MemoryMarshal.GetReference(masks);
        ref int sumStart = ref MemoryMarshal.GetReference(pixelSums);
        for (int p = 0; p < shape.OutPixels; p++)
        {
            int oh = p / width, ow = p - oh * width;
            int ih0 = oh * shape.Stride - shape.Padding, iw0 = ow * shape.Stride - shape.Padding;
            var column = columns.Slice(p * wordsPerColumn, wordsPerColumn);
            if (!oneWord || ih0 < 0 || iw0 < 0 || ih0 + k > shape.Height || iw0 + k > shape.Width)
            {
                columnSums[p] = EdgeColumn(shape, bits, masks, pixelSums, wordsPerPlane, p, column);
                continue;
            }
            ref ulong target = ref MemoryMarshal.GetReference(column);
            int origin = ih0 * shape.Width + iw0, sum = 0;
            for (int t = 0; t < tapPixel.Length; t++)
            {
                int pixel = origin + tapPixel[t], word = tapWord[t], shift = tapShift[t];
                sum += Unsafe.Add(ref sumStart, pixel);
                ref ulong pixelMasks = ref Unsafe.Add(ref maskStart, pixel * bits);
                for (int b = 0; b < bits; b++)
                {
                    ulong mask = Unsafe.Add(ref pixelMasks, b);
                    ref ulong plane = ref Unsafe.Add(ref target, b * wordsPerPlane + word);
                    plane |= mask << shift;
                    // Bits past the channel count are 0, so a spill of nothing is harmless; the guard keeps the write inside the column.
                    if (shift + channels > 64) Unsafe.Add(ref plane, 1) |= mask >> (64 - shift);
                }
            }
            columnSums[p] = sum;
        }
    }

    /// <summary>One column, tap by tap, skipping taps in the padding (the definition the fast path follows); returns its sum.</summary>
    private static int EdgeColumn(ConvolutionShape shape, int bits, ReadOnlySpan<ulong> masks, ReadOnlySpan<int> pixelSums,
        int wordsPerPlane, int p, Span<ulong> column)
    {
        int channels = shape.InChannels, maskWords = MaskWords(channels), k = shape.KernelSize, width = shape.OutWidth;
        int oh = p / width, ow = p - oh * width, sum = 0;
        for (int i = 0; i < k; i++)
        {
            int ih = oh * shape.Stride - shape.Padding + i;
            if ((uint)ih >= (uint)shape.Height) continue;
            for (int j = 0; j < k; j++)
            {
                int iw = ow * shape.Stride - shape.Padding + j;
                if ((uint)iw >= (uint)shape.Width) continue;
                int pixel = ih * shape.Width + iw;
                sum += pixelSums[pixel];
                int offset = (i * k + j) * channels;
                if (maskWords == 1)
                {
                    // At most 64 channels: one mask word per plane, shifted into at most two column words.
                    int word = offset >> 6, shift = offset & 63;
                    bool spills = shift + channels > 64;
                    for (int b = 0; b < bits; b++)
                    {
                        ulong mask = masks[pixel * bits + b];
                        column[b * wordsPerPlane + word] |= mask << shift;
                        if (spills) column[b * wordsPerPlane + word + 1] |= mask >> (64 - shift);
                    }
                    continue;
                }
                var pixelMasks = masks.Slice(pixel * bits * maskWords, bits * maskWords);
                for (int b = 0; b < bits; b++)
                    Append(column.Slice(b * wordsPerPlane, wordsPerPlane), offset, pixelMasks.Slice(b * maskWords, maskWords), channels);
            }
        }
        return sum;
    }

    // ORs `count` bits of `source` into `plane` starting at bit `offset`.
    private static void Append(Span<ulong> plane, int offset, ReadOnlySpan<ulong> source, int count)
    {
        for (int w = 0; w < source.Length; w++)
        {
            int start = offset + w * 64, word = start >> 6, shift = start & 63;
            ulong bitsOf = source[w];
            plane[word] |= bitsOf << shift;
            int length = Math.Min(64, count - w * 64);
            if (shift != 0 && shift + length > 64) plane[word + 1] |= bitsOf >> (64 - shift);
        }
    }
}
