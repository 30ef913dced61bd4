using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Turns one NCHW image of k-bit levels into per-pixel channel masks, one per bit plane: word
/// <c>(b * pixels + x) * channelWords + c / 64</c>, bit <c>c % 64</c>, is bit b of the level of channel c at pixel x.
/// These masks are what im2col copies into the packed columns, one contiguous run of channel bits per kernel tap.
/// </summary>
internal static class PixelBitPlanes
{
    private const int ChannelsPerVector = 16;

    /// <summary>
    /// ORs the masks into <paramref name="planes"/> (which must be zero). <paramref name="channelsLast"/> is scratch
    /// space, grown when too small.
    /// </summary>
    public static void Pack(ReadOnlySpan<byte> image, int channels, int pixels, int bits, ref byte[] channelsLast, ulong[] planes)
    {
        // Channels-last bytes, channels padded with zeros to whole vectors, so that one vector load holds 16
        // channels of a pixel and the most significant bits of (levels << (7 - b)) are plane b of those channels.
        int paddedChannels = (channels + ChannelsPerVector - 1) / ChannelsPerVector * ChannelsPerVector;
        int scratch = paddedChannels * pixels;
        if (channelsLast.Length < scratch) channelsLast = new byte[scratch];
        if (paddedChannels != channels) channelsLast.AsSpan(0, scratch).Clear();
        ref byte transposed = ref MemoryMarshal.GetArrayDataReference(channelsLast);
        for (int c = 0; c < channels; c++)
        {
            var channel = image.Slice(c * pixels, pixels);
            for (int x = 0; x < channel.Length; x++) Unsafe.Add(ref transposed, x * paddedChannels + c) = channel[x];
        }

        int channelWords = BitRows.WordsFor(channels);
        int vectors = paddedChannels / ChannelsPerVector;
        ref ulong masks = ref MemoryMarshal.GetArrayDataReference(planes);
        for (int x = 0; x < pixels; x++)
            for (int v = 0; v < vectors; v++)
            {
                var levels = Vector128.LoadUnsafe(ref transposed, (nuint)(x * paddedChannels + v * ChannelsPerVector));
                int bitOffset = v * ChannelsPerVector;
                int word = x * channelWords + (bitOffset >> 6), shift = bitOffset & 63;
                for (int b = 0; b < bits; b++)
                {
                    ulong plane = Vector128.ShiftLeft(levels, 7 - b).ExtractMostSignificantBits();
                    Unsafe.Add(ref masks, b * pixels * channelWords + word) |= plane << shift;
                }
            }
    }
}
