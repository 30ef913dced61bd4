namespace Microsoft.ML.SwitchablePrecision.Inference.Layout;

/// <summary>
/// The geometry of one square-kernel convolution on one image. Activations are stored channels-last (NHWC), and
/// the reduction index of a kernel tap is <c>k = (i * KernelSize + j) * InChannels + c</c>, so the
/// <see cref="Depth"/> values of one output pixel's column are contiguous runs of <see cref="InChannels"/> values.
/// </summary>
internal readonly record struct ConvolutionShape(int InChannels, int Height, int Width, int OutChannels,
    int KernelSize, int Stride, int Padding)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (Height + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (Width + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Output pixels of one image.</summary>
    public int OutPixels => OutHeight * OutWidth;

    /// <summary>Reduction length K.</summary>
    public int Depth => KernelSize * KernelSize * InChannels;

    /// <summary>Values of one input image.</summary>
    public int InputPerImage => Height * Width * InChannels;

    /// <summary>
    /// A 1x1 stride-1 unpadded convolution: its channels-last input pixels are already the GEMM's dense columns, for
    /// every image of a batch at once.
    /// </summary>
    public bool IsPointwise => KernelSize == 1 && Stride == 1 && Padding == 0;

    /// <summary>Values of one output image.</summary>
    public int OutputPerImage => OutPixels * OutChannels;

    /// <summary>Multiply-accumulates of one image.</summary>
    public long MultiplyAccumulates => (long)OutPixels * OutChannels * Depth;

    /// <summary>
    /// Copies the kernel taps of output pixels <c>[first, first + count)</c> of one NHWC image into columns of
    /// <paramref name="stride"/> values each (column-major <c>[count, stride]</c>, values past <see cref="Depth"/>
    /// untouched); taps in the padding become <paramref name="zero"/>.
    /// </summary>
    public void Im2Col<T>(ReadOnlySpan<T> image, int first, int count, Span<T> columns, int stride, T zero)
    {
        int c = InChannels, k = KernelSize, width = OutWidth;
        for (int q = 0; q < count; q++)
        {
            int p = first + q, oh = p / width, ow = p - oh * width;
            var column = columns.Slice(q * stride, Depth);
            int iw0 = ow * Stride - Padding;
            bool inside = iw0 >= 0 && iw0 + k <= Width;
            for (int i = 0; i < k; i++)
            {
                int ih = oh * Stride - Padding + i;
                if (inside && (uint)ih < (uint)Height)
                {
                    // A kernel row inside the image is one contiguous run of k * c values (channels-last).
                    image.Slice((ih * Width + iw0) * c, k * c).CopyTo(column.Slice(i * k * c, k * c));
                    continue;
                }
                for (int j = 0; j < k; j++)
                {
                    int iw = ow * Stride - Padding + j;
                    var tap = column.Slice((i * k + j) * c, c);
                    if ((uint)ih < (uint)Height && (uint)iw < (uint)Width)
                        image.Slice((ih * Width + iw) * c, c).CopyTo(tap);
                    else
                        tap.Fill(zero);
                }
            }
        }
    }
}
