using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.SwitchablePrecision.Inference.Layout;

/// <summary>
/// im2col of one channels-last image of byte levels for the int8 kernel: the same columns as
/// <see cref="ConvolutionShape.Im2Col{T}"/> (the reference, tested equal), faster where most time goes at batch 1.
/// A kernel row inside the image is one run of <c>KernelSize * InChannels</c> bytes (48 to 192 in ResNet-20), copied
/// with 16-byte vector moves (the last one overlapping) instead of a memory-copy call per run; runs that touch the
/// padding take the reference's tap-by-tap path.
/// </summary>
internal static class LevelIm2Col
{
    /// <summary>Writes the columns of all <see cref="ConvolutionShape.OutPixels"/> output pixels, <paramref name="stride"/> bytes apart.</summary>
    public static void Columns(in ConvolutionShape shape, ReadOnlySpan<byte> image, Span<byte> columns, int stride)
    {
        int run = shape.KernelSize * shape.InChannels;
        if (image.Length < shape.InputPerImage)
            throw new ArgumentException($"image holds {image.Length} levels; expected {shape.InputPerImage}.", nameof(image));
        if (stride < shape.Depth || columns.Length < (long)(shape.OutPixels - 1) * stride + shape.Depth)
            throw new ArgumentException($"columns hold {columns.Length} bytes with stride {stride}; expected {shape.OutPixels} columns of at least {shape.Depth}.", nameof(columns));
        if (run < Vector128<byte>.Count || !Vector128.IsHardwareAccelerated || !Kernels.KernelSupport.VectorsAllowed)
        {
            shape.Im2Col<byte>(image, 0, shape.OutPixels, columns, stride, 0);
            return;
        }
        int k = shape.KernelSize, c = shape.InChannels, width = shape.OutWidth;
        ref byte source = ref MemoryMarshal.GetReference(image);
        ref byte target = ref MemoryMarshal.GetReference(columns);
        for (int oh = 0; oh < shape.OutHeight; oh++)
        {
            for (int ow = 0; ow < width; ow++)
            {
                int p = oh * width + ow, iw0 = ow * shape.Stride - shape.Padding;
                if (iw0 < 0 || iw0 + k > shape.Width)
                {
                    // A column at the left or right edge: the reference handles its padding taps.
                    shape.Im2Col<byte>(image, p, 1, columns.Slice(p * stride), stride, 0);
                    continue;
                }
                ref byte column = ref Unsafe.Add(ref target, p * stride);
                for (int i = 0; i < k; i++)
                {
                    int ih = oh * shape.Stride - shape.Padding + i;
                    ref byte destination = ref Unsafe.Add(ref column, i * run);
                    if ((uint)ih >= (uint)shape.Height)
                    {
                        Unsafe.InitBlockUnaligned(ref destination, 0, (uint)run);
                        continue;
                    }
                    Copy(ref Unsafe.Add(ref source, (ih * shape.Width + iw0) * c), ref destination, run);
                }
            }
        }
    }

    // Copies length >= 16 bytes in 16-byte moves, the last one ending at the run's end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref byte source, ref byte destination, int length)
    {
        int last = length - Vector128<byte>.Count;
        for (int offset = 0; offset < last; offset += Vector128<byte>.Count)
            Vector128.LoadUnsafe(ref source, (nuint)offset).StoreUnsafe(ref destination, (nuint)offset);
        Vector128.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref destination, (nuint)last);
    }
}
