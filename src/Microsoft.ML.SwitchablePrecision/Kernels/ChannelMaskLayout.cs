using System.Numerics;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Where <see cref="ChannelMaskConvolution"/> finds its activations: one image of k-bit levels with at most
/// <see cref="MaxChannels"/> channels as bit planes of channel masks. Mask <c>(b, y, x)</c> is a <typeparamref name="TMask"/>
/// whose bit <c>c</c> is bit <c>b</c> of the level of channel <c>c</c> at padded pixel <c>(y, x)</c>; the image sits
/// inside a border of <see cref="Padding"/> zero masks (level 0, which adds nothing to a sum), so a kernel tap never
/// needs a bounds check. Plane <c>b</c> starts at <c>b * PlaneLength</c>, rows of <see cref="PaddedWidth"/> masks;
/// <see cref="RowSlack"/> spare masks after each plane let a kernel read a whole 64-bit word at the last pixel.
/// </summary>
/// <typeparam name="TMask"><see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/>: 16, 32 or 64 channels a mask.</typeparam>
internal readonly record struct ChannelMaskLayout<TMask>
    where TMask : unmanaged, IBinaryInteger<TMask>, IUnsignedNumber<TMask>
{
    /// <summary>Most channels one mask holds.</summary>
    public static int MaxChannels => ChannelMaskWidth<TMask>.Bits;

    /// <summary>Spare zero masks after each plane: one 64-bit word, what a kernel row's last read may reach past the row.</summary>
    public static int RowSlack => ChannelMaskWidth<TMask>.MasksPerWord;

    /// <summary>Creates the layout of a <paramref name="height"/> x <paramref name="width"/> image.</summary>
    public ChannelMaskLayout(int channels, int height, int width, int padding, int bits)
    {
        ChannelMaskWidth<TMask>.CheckSupported();
        if (channels < 1 || channels > MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels,
                $"channels is {channels}; expected 1 to {MaxChannels} (one {MaxChannels}-bit mask per pixel).");
        KernelChecks.Positive(height, nameof(height));
        KernelChecks.Positive(width, nameof(width));
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding is {padding}; expected 0 or more.");
        if (bits is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(bits), bits, $"bits is {bits}; expected 1 to 8.");
        Channels = channels;
        Height = height;
        Width = width;
        Padding = padding;
        Bits = bits;
    }

    /// <summary>Channels per pixel.</summary>
    public int Channels { get; }

    /// <summary>Image rows (without the border).</summary>
    public int Height { get; }

    /// <summary>Image columns (without the border).</summary>
    public int Width { get; }

    /// <summary>Zero masks on each side.</summary>
    public int Padding { get; }

    /// <summary>Activation bit planes.</summary>
    public int Bits { get; }

    /// <summary>Columns including the border.</summary>
    public int PaddedWidth => Width + 2 * Padding;

    /// <summary>Rows including the border.</summary>
    public int PaddedHeight => Height + 2 * Padding;

    /// <summary>Masks of one plane, slack included.</summary>
    public int PlaneLength => PaddedHeight * PaddedWidth + RowSlack;

    /// <summary>Masks of all planes.</summary>
    public int Length => Bits * PlaneLength;

    /// <summary>64-bit words that hold <see cref="Length"/> masks (the scratch a plan reserves for them).</summary>
    public int WordLength => (Length + RowSlack - 1) / RowSlack;

    /// <summary>Levels of the channels-last image the masks are packed from.</summary>
    public int LevelCount => Height * Width * Channels;

    /// <summary>Index of the mask of plane <paramref name="plane"/> at padded pixel (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public int Index(int plane, int row, int column) => plane * PlaneLength + row * PaddedWidth + column;
}
