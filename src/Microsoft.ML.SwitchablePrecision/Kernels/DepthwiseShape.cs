namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>The geometry of a depthwise convolution (groups = channels, square kernel) on one channels-last image.</summary>
internal readonly record struct DepthwiseShape(int Channels, int Height, int Width, int KernelSize, int Stride, int Padding)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (Height + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (Width + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>Output pixels of one image.</summary>
    public int OutPixels => OutHeight * OutWidth;

    /// <summary>Values of one input image.</summary>
    public int InputPerImage => Height * Width * Channels;

    /// <summary>Values of one output row.</summary>
    public int OutputPerRow => OutWidth * Channels;

    /// <summary>Values of one output image.</summary>
    public int OutputPerImage => OutPixels * Channels;

    /// <summary>Kernel taps.</summary>
    public int Taps => KernelSize * KernelSize;
}

