using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Layout;

/// <summary>
/// An implicit im2col for the float kernels (<see cref="FloatGemm"/>, <see cref="SignAccumulateGemm"/>), as
/// <see cref="PaddedTaps"/> is for int8: the image is copied once into a zero-bordered channels-last buffer (or read
/// in place without padding) and the kernel reads value <c>k</c> of output pixel <c>p</c> at
/// <c>ColumnOffsets[p] + DepthOffsets[k]</c> (<see cref="FloatColumns.Gathered"/>), instead of a column buffer
/// holding every input value <c>KernelSize^2</c> times (450 KB per image for a 16-channel 3x3 layer at 28x28).
/// </summary>
internal sealed class PaddedFloatTaps
{
    private readonly ConvolutionShape _shape;
    private readonly int[] _columnOffsets;
    private readonly int[] _depthOffsets;

    public PaddedFloatTaps(ConvolutionShape shape)
    {
        _shape = shape;
        int c = shape.InChannels, k = shape.KernelSize, width = PaddedWidth;
        _columnOffsets = new int[shape.OutPixels];
        for (int oh = 0, p = 0; oh < shape.OutHeight; oh++)
            for (int ow = 0; ow < shape.OutWidth; ow++, p++)
                _columnOffsets[p] = (oh * shape.Stride * width + ow * shape.Stride) * c;
        _depthOffsets = new int[shape.Depth];
        for (int depth = 0; depth < shape.Depth; depth++)
        {
            int tap = depth / c;
            _depthOffsets[depth] = ((tap / k) * width + tap % k) * c + depth % c;
        }
    }

    private int PaddedWidth => _shape.Width + 2 * _shape.Padding;

    /// <summary>Floats of the zero-bordered copy of one image (0 without padding: the image is read in place).</summary>
    public int PaddedLength => _shape.Padding == 0 ? 0 : (_shape.Height + 2 * _shape.Padding) * PaddedWidth * _shape.InChannels;

    /// <summary>
    /// The columns of one channels-last <paramref name="image"/>, copying it into <paramref name="scratch"/>
    /// (<see cref="PaddedLength"/>) with a zero border when the layer pads.
    /// </summary>
    public FloatColumns Columns(ReadOnlySpan<float> image, Span<float> scratch)
    {
        if (image.Length != _shape.InputPerImage)
            throw new ArgumentException($"image holds {image.Length} values; expected {_shape.InputPerImage}.", nameof(image));
        if (_shape.Padding == 0) return FloatColumns.Gathered(image, _columnOffsets, _depthOffsets);
        var padded = scratch[..PaddedLength];
        int row = _shape.Width * _shape.InChannels, pad = _shape.Padding, c = _shape.InChannels;
        // Only the border is cleared: the interior is overwritten.
        padded[..((pad * PaddedWidth + pad) * c)].Clear();
        for (int h = 0; h < _shape.Height; h++)
        {
            int start = ((h + pad) * PaddedWidth + pad) * c;
            image.Slice(h * row, row).CopyTo(padded.Slice(start, row));
            int next = h + 1 < _shape.Height ? ((h + 1 + pad) * PaddedWidth + pad) * c : padded.Length;
            padded[(start + row)..next].Clear();
        }
        return FloatColumns.Gathered(padded, _columnOffsets, _depthOffsets);
    }
}
