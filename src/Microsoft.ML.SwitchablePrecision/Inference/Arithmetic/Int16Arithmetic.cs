using System.Runtime.InteropServices;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Integer convolution on 8-bit activation levels and weight levels beyond s8 (DoReFa 8-bit weights, the odd integers
/// <c>2L - 255</c>) for CPUs without AVX-VNNI: the levels are gathered by im2col as bytes, widened to 16 bits
/// <see cref="ChunkColumns"/> columns at a time, and multiplied by the unhalved weights with <see cref="Int16Gemm"/>,
/// exact in int32. Chosen over <see cref="Int8Arithmetic"/> only where that measured faster
/// (<see cref="PreferredOverInt8"/>).
/// </summary>
internal sealed class Int16Arithmetic : ConvolutionArithmetic
{
    /// <summary>Columns widened per GEMM call (their widened levels stay in the cache for the GEMM).</summary>
    public const int ChunkColumns = 64;

    private readonly Int16Weights _weights;
    private readonly int _bits;

    public Int16Arithmetic(ConvolutionShape shape, WeightLevels weights, LevelQuantizer input) : base(shape)
    {
        if (weights.MinimumLevel < short.MinValue || weights.MaximumLevel > short.MaxValue)
            throw new ArgumentException(
                $"weight levels {weights.MinimumLevel}..{weights.MaximumLevel} do not fit 16 bits.", nameof(weights));
        var levels = new short[weights.Levels.Length];
        for (int i = 0; i < levels.Length; i++) levels[i] = (short)weights.Levels[i];
        _weights = Int16Weights.FromValues(levels, weights.Rows, weights.Depth);
        _bits = input.Bits;
        InputForm = ActivationForm.Levels(input);
        OutputScale = weights.Scale * input.Scale;
    }

    /// <summary>
    /// True where this arithmetic measured faster than <see cref="Int8Arithmetic"/> (docs/kernels.md, "Int16 GEMM for
    /// 8-bit switches without VNNI"): vector code allowed, no AVX-VNNI (both GEMMs on AVX2), 8-bit levels with weights
    /// beyond <c>|w| &lt;= 64</c> (so int8 needs its halved weights and int16 words), and at least 16 output channels
    /// (the narrowest layers measured).
    /// </summary>
    public static bool PreferredOverInt8(ConvolutionShape shape, WeightLevels weights, LevelQuantizer input) =>
        KernelSupport.VectorsAllowed && shape.OutChannels >= 16 && input.Bits == 8
        && Math.Max(-weights.MinimumLevel, weights.MaximumLevel) > 64
        && weights.MinimumLevel >= short.MinValue && weights.MaximumLevel <= short.MaxValue
        && KernelSupport.Fastest(Int8Gemm.Preference) == KernelVariant.Avx2
        && KernelSupport.Fastest(Int16Gemm.Preference) == KernelVariant.Avx2;

    /// <inheritdoc/>
    public override string KernelName => "int16 GEMM";

    /// <inheritdoc/>
    public override ActivationForm InputForm { get; }

    /// <inheritdoc/>
    public override float OutputScale { get; }

    /// <inheritdoc/>
    public override long PackedWeightBytes => _weights.PackedByteCount;

    private int ColumnStride => _weights.PaddedDepth;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) =>
        new(Bytes: (long)images * Shape.OutPixels * ColumnStride, Integers: ChunkColumns * ColumnStride / 2);

    /// <inheritdoc/>
    public override void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators)
    {
        int pixels = Shape.OutPixels, columns = images * pixels, stride = ColumnStride, rows = Shape.OutChannels;
        var im2col = workspace.ByteScratch(columns * stride);
        var source = workspace.Levels(input, images);
        for (int n = 0; n < images; n++)
            LevelIm2Col.Columns(Shape, source.Slice(n * Shape.InputPerImage, Shape.InputPerImage), im2col.Slice(n * pixels * stride, pixels * stride), stride);
        var wide = MemoryMarshal.Cast<int, short>(workspace.IntegerScratch(ChunkColumns * stride / 2));
        // The sums go straight into the accumulator memory and are converted there.
        var products = IntegerAccumulators.AsIntegers(accumulators[..(columns * rows)]);
        for (int start = 0; start < columns; start += ChunkColumns)
        {
            int count = Math.Min(ChunkColumns, columns - start);
            LevelWidening.Widen(im2col.Slice(start * stride, count * stride), wide);
            Int16Gemm.Multiply(_weights, new ShortColumns(wide, count, stride, _bits), products.Slice(start * rows, count * rows),
                OutputLayout.ColumnMajor(rows), GemmRange.All(rows, count));
        }
        IntegerAccumulators.ConvertInPlace(accumulators[..(columns * rows)]);
    }
}
