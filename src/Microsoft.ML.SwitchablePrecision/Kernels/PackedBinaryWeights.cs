using Microsoft.ML.SwitchablePrecision.Quantization.Families;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// A 1-bit DoReFa weight matrix <c>[Rows, Depth]</c> stored as sign bits (DoReFa's integer form,
/// <see cref="DoReFaFamily.IsPositiveBinaryWeight"/> and <see cref="DoReFaFamily.BinaryWeightScale"/>): bit <c>k</c> of
/// row <c>m</c> is 1 where the latent weight is &gt;= 0 (quantized weight <c>+Scale</c>) and 0 where it is negative
/// (<c>-Scale</c>), with <c>Scale = mean |w|</c> over the whole layer. Each row occupies <see cref="WordsPerRow"/> 64-bit words; the
/// padding bits past <see cref="Depth"/> are 0.
/// </summary>
internal sealed class PackedBinaryWeights
{
    private PackedBinaryWeights(int rows, int depth, float scale)
    {
        Rows = rows;
        Depth = depth;
        WordsPerRow = BitRows.WordsFor(depth);
        Scale = scale;
        Signs = new ulong[(long)rows * WordsPerRow];
    }

    /// <summary>Output rows (output channels of a convolution).</summary>
    public int Rows { get; }

    /// <summary>Reduction length K (<c>inChannels * kernelHeight * kernelWidth</c> for a convolution).</summary>
    public int Depth { get; }

    /// <summary>64-bit words per row: <c>ceil(Depth / 64)</c>.</summary>
    public int WordsPerRow { get; }

    /// <summary>The layer scale <c>E = mean |w|</c>; every quantized weight is <c>+E</c> or <c>-E</c>.</summary>
    public float Scale { get; }

    /// <summary>Sign bits, row-major, <see cref="WordsPerRow"/> words per row.</summary>
    internal ulong[] Signs { get; }

    /// <summary>Bytes of the packed form: the sign words plus the one float scale.</summary>
    public long PackedByteCount => Signs.LongLength * sizeof(ulong) + sizeof(float);

    /// <summary>Bytes of the same weights as a float32 tensor.</summary>
    public long FloatByteCount => (long)Rows * Depth * sizeof(float);

    /// <summary>The quantized weight of row <paramref name="row"/> at position <paramref name="k"/> divided by the scale: +1 or -1.</summary>
    public int Sign(int row, int k) => ((Signs[(long)row * WordsPerRow + (k >> 6)] >> (k & 63)) & 1) == 1 ? 1 : -1;

    /// <summary>Packs a row-major float matrix <c>[rows, depth]</c>; K order is the column order of the matrix.</summary>
    public static PackedBinaryWeights FromMatrix(ReadOnlySpan<float> weights, int rows, int depth)
    {
        CheckPositive(rows, nameof(rows));
        CheckPositive(depth, nameof(depth));
        CheckLength(weights, (long)rows * depth, "rows * depth");
        var packed = new PackedBinaryWeights(rows, depth, DoReFaFamily.BinaryWeightScale(weights));
        for (int m = 0; m < rows; m++)
        {
            var row = packed.Signs.AsSpan(m * packed.WordsPerRow, packed.WordsPerRow);
            var source = weights.Slice(m * depth, depth);
            for (int k = 0; k < depth; k++)
                if (DoReFaFamily.IsPositiveBinaryWeight(source[k])) row[k >> 6] |= 1UL << (k & 63);
        }
        return packed;
    }

    /// <summary>
    /// Packs convolution weights laid out as PyTorch stores them, <c>[outChannels, inChannels, kernelHeight,
    /// kernelWidth]</c>, into rows whose K order is (kernel row i, kernel column j, input channel c), channel fastest:
    /// <c>k = (i * kernelWidth + j) * inChannels + c</c>. That order lets the convolution copy each input pixel's
    /// channel bits into its patch as one contiguous run.
    /// </summary>
    public static PackedBinaryWeights FromConvolution(ReadOnlySpan<float> weights, int outChannels, int inChannels,
        int kernelHeight, int kernelWidth)
    {
        CheckPositive(outChannels, nameof(outChannels));
        CheckPositive(inChannels, nameof(inChannels));
        CheckPositive(kernelHeight, nameof(kernelHeight));
        CheckPositive(kernelWidth, nameof(kernelWidth));
        CheckLength(weights, (long)outChannels * inChannels * kernelHeight * kernelWidth,
            "outChannels * inChannels * kernelHeight * kernelWidth");
        int depth = inChannels * kernelHeight * kernelWidth;
        int taps = kernelHeight * kernelWidth;
        var packed = new PackedBinaryWeights(outChannels, depth, DoReFaFamily.BinaryWeightScale(weights));
        for (int o = 0; o < outChannels; o++)
        {
            var row = packed.Signs.AsSpan(o * packed.WordsPerRow, packed.WordsPerRow);
            for (int c = 0; c < inChannels; c++)
                for (int tap = 0; tap < taps; tap++)
                {
                    int k = tap * inChannels + c;
                    if (DoReFaFamily.IsPositiveBinaryWeight(weights[(o * inChannels + c) * taps + tap])) row[k >> 6] |= 1UL << (k & 63);
                }
        }
        return packed;
    }

    private static void CheckPositive(int value, string parameter)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} is {value}; expected a positive size.");
    }

    private static void CheckLength(ReadOnlySpan<float> weights, long expected, string formula)
    {
        if (weights.Length != expected)
            throw new ArgumentException(
                $"weights has {weights.Length} elements; expected {formula} = {expected}.", nameof(weights));
    }
}
