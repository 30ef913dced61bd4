using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Integer convolution on u8 activation levels and s8 weight levels (<see cref="Int8Gemm"/>, AVX-VNNI where present),
/// exact in int32. Weight levels that do not fit s8 (DoReFa 8-bit weights, odd integers <c>2L - 255</c>) are stored
/// as <c>L - 128</c> and the sum is corrected with the column sum: <c>sum (2L - 255) q = 2 sum (L - 128) q + sum q</c>.
/// With a multiple of 4 input channels and no halving the kernel reads its taps from the image itself
/// (<see cref="PaddedTaps"/>, one GEMM per image); otherwise from an im2col buffer (<see cref="LevelIm2Col"/>).
/// </summary>
internal sealed class Int8Arithmetic : ConvolutionArithmetic
{
    private readonly Int8Weights _weights;
    private readonly bool _halved;
    private readonly int _bits;
    private readonly PaddedTaps? _taps;

    public Int8Arithmetic(ConvolutionShape shape, WeightLevels weights, LevelQuantizer input) : base(shape)
    {
        _halved = weights.MinimumLevel < sbyte.MinValue || weights.MaximumLevel > sbyte.MaxValue;
        var levels = new sbyte[weights.Levels.Length];
        for (int i = 0; i < levels.Length; i++)
            levels[i] = (sbyte)(_halved ? (weights.Levels[i] - 1) / 2 : weights.Levels[i]);
        _weights = Int8Weights.FromValues(levels, weights.Rows, weights.Depth);
        _bits = input.Bits;
        _taps = !_halved && PaddedTaps.Serves(shape) ? new PaddedTaps(shape) : null;
        InputForm = ActivationForm.Levels(input);
        OutputScale = weights.Scale * input.Scale;
    }

    /// <summary>True when the weights' integer range needs more than s8 (then the column sum corrects it).</summary>
    public static bool NeedsHalving(WeightLevels weights) => weights.MinimumLevel < sbyte.MinValue || weights.MaximumLevel > sbyte.MaxValue;

    /// <inheritdoc/>
    public override string KernelName => _halved ? "int8 GEMM (halved weights + column sum)" : "int8 GEMM";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; }

    /// <inheritdoc/>
    public override float OutputScale { get; }

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    private int ColumnStride => _weights.PaddedDepth;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) =>
        new(Bytes: _taps is null ? (long)images * Shape.OutPixels * ColumnStride : _taps.PaddedBytes);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int pixels = Shape.OutPixels, columns = images * pixels, stride = ColumnStride, rows = Shape.OutChannels;
        if (_taps is not null)
        {
            AccumulateImplicit(_taps, workspace, input, images, accumulators);
            return;
        }
        var im2col = workspace.ByteScratch(columns * stride);
        var source = workspace.Levels(input, images);
        for (int n = 0; n < images; n++)
            LevelIm2Col.Columns(Shape, source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), im2col.Slice(n * pixels * stride, pixels * stride), stride);
        // The sums go straight into the accumulator memory and are converted there.
        var products = IntegerAccumulators.AsIntegers(accumulators[..(columns * rows)]);
        Int8Gemm.Multiply(_weights, new ByteColumns(im2col, columns, stride, _bits), products,
            OutputLayout.ColumnMajor(rows), GemmRange.All(rows, columns));
        if (_halved)
        {
            for (int p = 0; p < columns; p++)
                LevelSums.DoubleAndAdd(products.Slice(p * rows, rows), LevelSums.Sum(im2col.Slice(p * stride, Shape.Depth)));
        }
        IntegerAccumulators.ConvertInPlace(accumulators[..(columns * rows)]);
    }

    private void AccumulateImplicit(PaddedTaps taps, Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int pixels = Shape.OutPixels, rows = Shape.OutChannels, columns = images * pixels;
        var source = workspace.Levels(input, images);
        var scratch = workspace.ByteScratch(taps.PaddedBytes);
        var products = IntegerAccumulators.AsIntegers(accumulators[..(columns * rows)]);
        for (int n = 0; n < images; n++)
            Int8Gemm.Multiply(_weights, taps.Columns(source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), scratch, _bits),
                products.Slice(n * pixels * rows, pixels * rows), OutputLayout.ColumnMajor(rows), GemmRange.All(rows, pixels));
        IntegerAccumulators.ConvertInPlace(accumulators[..(columns * rows)]);
    }
}
