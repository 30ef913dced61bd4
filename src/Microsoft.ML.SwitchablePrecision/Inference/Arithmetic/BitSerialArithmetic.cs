using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Bit-serial convolution (<see cref="BitSerialGemm"/>): 1- or 2-bit weight planes AND k-bit activation planes,
/// counted with popcount, exact in int32. Weights are <c>multiplier * level - offset</c>: signs <c>±1</c> (2, 1),
/// DoReFa 2-bit <c>{-3, -1, 1, 3}</c> (2, 3), LSQ 2-bit <c>{-2, -1, 0, 1}</c> (1, 2).
/// </summary>
internal sealed class BitSerialArithmetic : ConvolutionArithmetic
{
    private readonly BitSerialWeights _weights;
    private readonly int _bits;

    public BitSerialArithmetic(ConvolutionShape shape, WeightLevels weights, LevelQuantizer input) : base(shape)
    {
        var (multiplier, offset) = Grid(weights);
        _weights = BitSerialWeights.FromIntegers(weights.Levels, weights.Rows, weights.Depth, multiplier, offset);
        _bits = input.Bits;
        InputForm = ActivationForm.Levels(input);
        OutputScale = weights.Scale * input.Scale;
    }

    /// <summary>True when the kernel can hold the weights (1 or 2 bits).</summary>
    public static bool Serves(WeightLevels weights) => weights.Bits is 1 or 2;

    /// <summary>
    /// True when the layer's shape is one on which the bit-serial kernel beat int8 (im2col or bit-plane packing plus
    /// GEMM) in the measured table of docs/kernels.md, "Kernel selection by layer shape", at <paramref name="planes"/>
    /// weight-plane x activation-plane pairs. The popcount pays per output, the bit-plane packing per input value, so
    /// it wins on deep 3x3 layers and loses on shallow ones, on 1x1 layers (no reuse of a packed pixel across taps)
    /// and from 4 pairs on.
    /// </summary>
    public static bool MeasuredFasterThanInt8(ConvolutionShape shape, int planes) =>
        Array.Exists(MeasuredFaster, region => region.Covers(shape, planes));

    private static readonly FasterRegion[] MeasuredFaster =
    [
        new(Planes: 1, KernelSize: 3, MaxStride: 2, MinDepth: 576, MinOutChannels: 1),
        new(Planes: 1, KernelSize: 1, MaxStride: 1, MinDepth: 960, MinOutChannels: 320),
        new(Planes: 2, KernelSize: 3, MaxStride: 2, MinDepth: 1152, MinOutChannels: 1),
    ];

    /// <summary>Layers of one plane count, kernel size and stride range, at least this deep and this wide.</summary>
    private readonly record struct FasterRegion(int Planes, int KernelSize, int MaxStride, int MinDepth, int MinOutChannels)
    {
        public bool Covers(ConvolutionShape shape, int planes) => planes == Planes && shape.KernelSize == KernelSize
            && shape.Stride <= MaxStride && shape.Depth >= MinDepth && shape.OutChannels >= MinOutChannels;
    }

    /// <inheritdoc/>
    public override string KernelName => $"bit-serial GEMM ({_weights.Bits}-bit weights x {_bits} planes)";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; }

    /// <inheritdoc/>
    public override float OutputScale { get; }

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    private int WordsPerColumn => _bits * _weights.WordsPerPlane;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images)
    {
        long columns = (long)images * Shape.OutPixels;
        int maskWords = Shape.Height * Shape.Width * _bits * BitPlaneIm2Col.MaskWords(Shape.InChannels);
        return new(Words: columns * WordsPerColumn + maskWords, Integers: columns + Shape.Height * Shape.Width);
    }

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int pixels = Shape.OutPixels, columns = images * pixels, rows = Shape.OutChannels, words = WordsPerColumn;
        int inputPixels = Shape.Height * Shape.Width, maskWords = inputPixels * _bits * BitPlaneIm2Col.MaskWords(Shape.InChannels);
        var allWords = workspace.WordScratch(columns * words + maskWords);
        var planes = allWords[..(columns * words)];
        var masks = allWords.Slice(columns * words, maskWords);
        var integers = workspace.IntegerScratch(columns + inputPixels);
        var products = IntegerAccumulators.AsIntegers(accumulators[..(columns * rows)]);
        var sums = integers[..columns];
        var pixelSums = integers.Slice(columns, inputPixels);
        var source = workspace.Levels(input, images);
        for (int n = 0; n < images; n++)
        {
            BitPlaneIm2Col.PackPixels(source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), Shape.InChannels, _bits, masks, pixelSums);
            BitPlaneIm2Col.Columns(Shape, _bits, masks, pixelSums, _weights.WordsPerPlane,
                planes.Slice(n * pixels * words, pixels * words), sums.Slice(n * pixels, pixels));
        }
        BitSerialGemm.Multiply(_weights, new BitPlaneColumns(planes, sums, columns, _bits, _weights.WordsPerPlane), products,
            OutputLayout.ColumnMajor(rows), GemmRange.All(rows, columns));
        IntegerAccumulators.ConvertInPlace(accumulators[..(columns * rows)]);
    }

    // Levels Minimum + Spacing * L are Spacing * L - (-Minimum).
    private static (int Multiplier, int Offset) Grid(WeightLevels weights) => (weights.Grid.Spacing, -weights.Grid.Minimum);
}
