using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Layout;

/// <summary>
/// An implicit im2col for the int8 kernel: instead of copying every output pixel's taps into a column
/// (<see cref="LevelIm2Col"/>, <c>KernelSize^2</c> copies of each input level), the image is copied once into a
/// zero-bordered channels-last buffer and the kernel reads each quad of a column at a fixed offset from the pixel's
/// top-left tap (<see cref="ByteColumns.Gathered"/>). Needs a channel count that is a multiple of 4, so no quad of K
/// straddles two taps.
/// </summary>
internal sealed class PaddedTaps
{
    private readonly ConvolutionShape _shape;
    private readonly int[] _columnOffsets;
    private readonly int[] _quadOffsets;

    public PaddedTaps(ConvolutionShape shape)
    {
        if (!Serves(shape))
            throw new ArgumentException($"implicit im2col needs a multiple of {Int8Weights.QuadSize} input channels; the layer has {shape.InChannels}.", nameof(shape));
        _shape = shape;
        int c = shape.InChannels, k = shape.KernelSize, width = PaddedWidth;
        _columnOffsets = new int[shape.OutPixels];
        for (int oh = 0, p = 0; oh < shape.OutHeight; oh++)
            for (int ow = 0; ow < shape.OutWidth; ow++, p++)
                _columnOffsets[p] = (oh * shape.Stride * width + ow * shape.Stride) * c;
        _quadOffsets = new int[shape.Depth / Int8Weights.QuadSize];
        for (int q = 0; q < _quadOffsets.Length; q++)
        {
            int depth = q * Int8Weights.QuadSize, tap = depth / c;
            _quadOffsets[q] = ((tap / k) * width + tap % k) * c + depth % c;
        }
    }

    /// <summary>True when the layer's channel count lets quads of K follow the taps (a multiple of 4).</summary>
    public static bool Serves(ConvolutionShape shape) => shape.InChannels % Int8Weights.QuadSize == 0;

    private int PaddedWidth => _shape.Width + 2 * _shape.Padding;

    /// <summary>Bytes of the zero-bordered copy of one image (0 without padding: the image is read in place).</summary>
    public int PaddedBytes => _shape.Padding == 0 ? 0 : (_shape.Height + 2 * _shape.Padding) * PaddedWidth * _shape.InChannels;

    /// <summary>
    /// The columns of one channels-last <paramref name="image"/>, copying it into <paramref name="scratch"/>
    /// (<see cref="PaddedBytes"/>) with a zero border when the layer pads.
    /// </summary>
    public ByteColumns Columns(ReadOnlySpan<byte> image, Span<byte> scratch, int bits)
    {
        if (image.Length != _shape.InputPerImage)
            throw new ArgumentException($"image holds {image.Length} levels; expected {_shape.InputPerImage}.", nameof(image));
        if (_shape.Padding == 0) return ByteColumns.Gathered(image, _columnOffsets, _quadOffsets, bits);
        var padded = scratch[..PaddedBytes];
        padded.Clear();
        int row = _shape.Width * _shape.InChannels, pad = _shape.Padding;
        for (int h = 0; h < _shape.Height; h++)
            image.Slice(h * row, row).CopyTo(padded.Slice(((h + pad) * PaddedWidth + pad) * _shape.InChannels, row));
        return ByteColumns.Gathered(padded, _columnOffsets, _quadOffsets, bits);
    }
}
