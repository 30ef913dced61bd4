using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// im2col straight into packed bit planes: column <c>p = oh * outputWidth + ow</c> gets, for each kernel tap (i, j)
/// inside the image, the channel mask of input pixel (oh * stride - padding + i, ow * stride - padding + j) at bit
/// offset <c>(i * kernelWidth + j) * channels</c>, in every plane. Taps in the padding stay 0 (level 0). Also fills
/// the column sums.
/// </summary>
internal readonly record struct Im2Col(int Height, int Width, int OutputWidth, int KernelHeight, int KernelWidth,
    int Stride, int Padding, int Channels)
{
    /// <summary>Channels &lt;= 64: a pixel's channel mask is one word, shifted into at most two column words.</summary>
    public void PackSingleWordChannels(ulong[] pixelPlanes, PackedBitPlanes columns)
    {
        int bits = columns.Bits, wordsPerPlane = columns.WordsPerPlane, wordsPerColumn = columns.WordsPerColumn;
        int pixels = Height * Width;
        ref ulong masks = ref MemoryMarshal.GetArrayDataReference(pixelPlanes);
        ref ulong words = ref MemoryMarshal.GetArrayDataReference(columns.Words);
        int outputHeight = columns.Columns / OutputWidth;
        for (int p = 0, oh = 0; oh < outputHeight; oh++)
        for (int ow = 0; ow < OutputWidth; ow++, p++)
        {
            ref ulong column = ref Unsafe.Add(ref words, (nint)p * wordsPerColumn);
            for (int i = 0; i < KernelHeight; i++)
            {
                int ih = oh * Stride - Padding + i;
                if ((uint)ih >= (uint)Height) continue;
                for (int j = 0; j < KernelWidth; j++)
                {
                    int iw = ow * Stride - Padding + j;
                    if ((uint)iw >= (uint)Width) continue;
                    int bitOffset = (i * KernelWidth + j) * Channels;
                    int word = bitOffset >> 6, shift = bitOffset & 63;
                    bool spills = shift + Channels > 64;
                    ref ulong pixel = ref Unsafe.Add(ref masks, ih * Width + iw);
                    ref ulong target = ref Unsafe.Add(ref column, word);
                    for (int b = 0; b < bits; b++)
                    {
                        ulong mask = Unsafe.Add(ref pixel, b * pixels);
                        target |= mask << shift;
                        if (spills) Unsafe.Add(ref target, 1) |= mask >> (64 - shift);
                        target = ref Unsafe.Add(ref target, wordsPerPlane);
                    }
                }
            }
            columns.UpdateColumnSum(p);
        }
    }

    /// <summary>Any channel count: each pixel's mask spans several words and is appended bit-exactly.</summary>
    public void PackMultiWordChannels(ulong[] pixelPlanes, PackedBitPlanes columns)
    {
        int bits = columns.Bits, wordsPerPlane = columns.WordsPerPlane;
        int pixels = Height * Width, channelWords = BitRows.WordsFor(Channels);
        for (int p = 0; p < columns.Columns; p++)
        {
            int oh = p / OutputWidth, ow = p - oh * OutputWidth;
            var column = columns.Column(p);
            for (int i = 0; i < KernelHeight; i++)
            {
                int ih = oh * Stride - Padding + i;
                if ((uint)ih >= (uint)Height) continue;
                for (int j = 0; j < KernelWidth; j++)
                {
                    int iw = ow * Stride - Padding + j;
                    if ((uint)iw >= (uint)Width) continue;
                    int bitOffset = (i * KernelWidth + j) * Channels;
                    int pixel = ih * Width + iw;
                    for (int b = 0; b < bits; b++)
                        BitRows.Append(column.Slice(b * wordsPerPlane, wordsPerPlane), bitOffset,
                            pixelPlanes.AsSpan((b * pixels + pixel) * channelWords, channelWords), Channels);
                }
            }
            columns.UpdateColumnSum(p);
        }
    }
}
