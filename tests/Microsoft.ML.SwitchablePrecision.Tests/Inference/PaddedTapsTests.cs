using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class PaddedTapsTests
{
    // (variant, in channels, height, width, out channels, kernel, stride, padding, activation bits)
    public static TheoryData<string, int, int, int, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int, int, int, int, int, int>();
        (int, int, int, int, int, int, int, int)[] shapes =
        [
            (16, 28, 28, 16, 3, 1, 1, 1), (16, 28, 28, 32, 3, 2, 1, 2), (4, 5, 7, 3, 3, 1, 1, 8), (8, 9, 6, 17, 3, 2, 1, 4),
            (12, 7, 7, 5, 5, 1, 2, 3), (20, 6, 5, 9, 3, 1, 0, 7), (32, 4, 4, 24, 1, 1, 0, 6), (4, 1, 1, 10, 1, 1, 0, 8),
            (64, 7, 7, 64, 3, 1, 1, 2), (8, 5, 5, 8, 3, 2, 2, 5),
        ];
        foreach (var variant in Int8Gemm.Variants)
            foreach (var (c, h, w, m, k, s, p, bits) in shapes) data.Add(variant.ToString(), c, h, w, m, k, s, p, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ImplicitIm2ColEqualsTheProductOnCopiedColumns(string variant, int inChannels, int height, int width, int outChannels,
        int kernel, int stride, int padding, int bits)
    {
        var shape = new ConvolutionShape(inChannels, height, width, outChannels, kernel, stride, padding);
        var random = new Random(inChannels * 7919 + height * 31 + kernel * 7 + stride + padding * 3 + bits);
        var integers = Enumerable.Range(0, outChannels * shape.Depth).Select(_ => random.Next(-128, 128)).ToArray();
        var weights = Int8Weights.FromValues(integers.Select(w => (sbyte)w).ToArray(), outChannels, shape.Depth);
        var image = Enumerable.Range(0, shape.InputPerImage).Select(_ => (byte)random.Next(1 << bits)).ToArray();
        int columnStride = weights.PaddedDepth;
        var copied = new byte[shape.OutPixels * columnStride];
        shape.Im2Col<byte>(image, 0, shape.OutPixels, copied, columnStride, 0);
        var range = GemmRange.All(outChannels, shape.OutPixels);
        var expected = new int[outChannels * shape.OutPixels];
        Int8Gemm.Reference(weights, new ByteColumns(copied, shape.OutPixels, columnStride, bits), expected, OutputLayout.ColumnMajor(outChannels), range);

        var taps = new PaddedTaps(shape);
        // The scratch starts dirty: the border must be zeroed by the copy, not assumed.
        var scratch = Enumerable.Repeat((byte)0xA5, taps.PaddedBytes).ToArray();
        var output = new int[expected.Length];
        Int8Gemm.Multiply(weights, taps.Columns(image, scratch, bits), output, OutputLayout.ColumnMajor(outChannels), range,
            Enum.Parse<KernelVariant>(variant));
        Assert.Equal(expected, output);
    }

    [Fact]
    public void ChannelCountsThatAreNotAMultipleOfFourAreRefused()
    {
        var shape = new ConvolutionShape(6, 5, 5, 4, 3, 1, 1);
        Assert.False(PaddedTaps.Serves(shape));
        var error = Assert.Throws<ArgumentException>(() => new PaddedTaps(shape));
        Assert.Contains("multiple of 4 input channels; the layer has 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GatheredColumnsThatReadPastTheLevelsAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ByteColumns.Gathered(new byte[16], [0, 8], [0, 8], 8));
        Assert.Contains("read bytes 0 to 19; levels hold 16", error.Message, StringComparison.Ordinal);
    }
}
