using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;

/// <summary>
/// One GEMM of one precision on random data, packed once: a call per kernel variant (column-major output, the
/// kernels' fast layout) plus the Auto variant writing row-major output.
/// </summary>
internal sealed class GemmCase
{
    private GemmCase(string precision, string kernel, KernelVariant[] variants, Func<KernelVariant, bool, Action> call)
    {
        Precision = precision;
        Kernel = kernel;
        Variants = variants;
        Call = call;
    }

    public string Precision { get; }

    public string Kernel { get; }

    public KernelVariant[] Variants { get; }

    /// <summary>The call for a variant; the flag asks for row-major output instead of column-major.</summary>
    public Func<KernelVariant, bool, Action> Call { get; }

    public static readonly string[] Precisions = ["W1A1", "W1A2", "W1A4", "W2A2", "W4A4", "W8A8", "W1A32", "W1A32 panel", "W32A32"];

    public static GemmCase Create(string precision, int rows, int depth, int columns, Random random) => precision switch
    {
        "W1A1" => BitSerial(precision, 1, 1, rows, depth, columns, random),
        "W1A2" => BitSerial(precision, 1, 2, rows, depth, columns, random),
        "W1A4" => BitSerial(precision, 1, 4, rows, depth, columns, random),
        "W2A2" => BitSerial(precision, 2, 2, rows, depth, columns, random),
        "W4A4" => Int8(precision, 4, 4, rows, depth, columns, random),
        "W8A8" => Int8(precision, 8, 8, rows, depth, columns, random),
        "W1A32" => Sign(precision, rows, depth, columns, random),
        "W1A32 panel" => SignPanel(precision, rows, depth, columns, random),
        "W32A32" => Float(precision, rows, depth, columns, random),
        _ => throw new ArgumentException($"Unknown precision {precision}: expected one of {string.Join(", ", Precisions)}.", nameof(precision)),
    };

    private static GemmCase BitSerial(string precision, int weightBits, int activationBits, int rows, int depth, int columns, Random random)
    {
        var weights = BitSerialWeights.FromLevels(Levels(random, rows * depth, weightBits), rows, depth, weightBits,
            2, (1 << weightBits) - 1);
        int perColumn = activationBits * weights.WordsPerPlane;
        var words = new ulong[columns * perColumn];
        var sums = new int[columns];
        var levels = Levels(random, columns * depth, activationBits);
        for (int p = 0; p < columns; p++)
            sums[p] = BitPlaneColumns.PackColumn(levels.AsSpan(p * depth, depth), activationBits, words.AsSpan(p * perColumn, perColumn));
        var output = new int[rows * columns];
        var range = GemmRange.All(rows, columns);
        return new(precision, nameof(BitSerialGemm), BitSerialGemm.Variants, (variant, rowMajor) => () =>
            BitSerialGemm.Multiply(weights, new BitPlaneColumns(words, sums, columns, activationBits, weights.WordsPerPlane), output,
                Layout(rowMajor, rows, columns), range, variant));
    }

    private static GemmCase Int8(string precision, int weightBits, int activationBits, int rows, int depth, int columns, Random random)
    {
        int half = 1 << (weightBits - 1);
        var values = new sbyte[rows * depth];
        for (int i = 0; i < values.Length; i++) values[i] = (sbyte)random.Next(-half, half);
        var weights = Int8Weights.FromValues(values, rows, depth);
        int stride = weights.PaddedDepth;
        var levels = Levels(random, columns * stride, activationBits);
        var output = new int[rows * columns];
        var range = GemmRange.All(rows, columns);
        return new(precision, nameof(Int8Gemm), Int8Gemm.Variants, (variant, rowMajor) => () =>
            Int8Gemm.Multiply(weights, new ByteColumns(levels, columns, stride, activationBits), output,
                Layout(rowMajor, rows, columns), range, variant));
    }

    private static GemmCase Sign(string precision, int rows, int depth, int columns, Random random)
    {
        var weights = SignWeights.FromSigns(Floats(random, rows * depth), rows, depth);
        var activations = Floats(random, columns * depth);
        var output = new float[rows * columns];
        var range = GemmRange.All(rows, columns);
        return new(precision, nameof(SignAccumulateGemm), SignAccumulateGemm.Variants, (variant, rowMajor) => () =>
            SignAccumulateGemm.Multiply(weights, new FloatColumns(activations, columns, depth, depth), output,
                Layout(rowMajor, rows, columns), range, variant));
    }

    // The same product on the sign-panel GEMM (what the plans run at W1A32): one panel of scratch for every call.
    private static GemmCase SignPanel(string precision, int rows, int depth, int columns, Random random)
    {
        var weights = SignWeights.FromSigns(Floats(random, rows * depth), rows, depth);
        var activations = Floats(random, columns * depth);
        var output = new float[rows * columns];
        var panel = new float[SignPanelGemm.PanelLength(depth)];
        var range = GemmRange.All(rows, columns);
        return new(precision, nameof(SignPanelGemm), SignPanelGemm.Variants, (variant, rowMajor) => () =>
            SignPanelGemm.Multiply(weights, new FloatColumns(activations, columns, depth, depth), output,
                Layout(rowMajor, rows, columns), range, panel, variant));
    }

    private static GemmCase Float(string precision, int rows, int depth, int columns, Random random)
    {
        var weights = FloatGemmWeights.FromMatrix(Floats(random, rows * depth), rows, depth);
        var activations = Floats(random, columns * depth);
        var output = new float[rows * columns];
        var range = GemmRange.All(rows, columns);
        return new(precision, nameof(FloatGemm), FloatGemm.Variants, (variant, rowMajor) => () =>
            FloatGemm.Multiply(weights, new FloatColumns(activations, columns, depth, depth), output,
                Layout(rowMajor, rows, columns), range, variant));
    }

    private static OutputLayout Layout(bool rowMajor, int rows, int columns) =>
        rowMajor ? OutputLayout.RowMajor(columns) : OutputLayout.ColumnMajor(rows);

    private static byte[] Levels(Random random, int count, int bits)
    {
        var levels = new byte[count];
        for (int i = 0; i < count; i++) levels[i] = (byte)random.Next(0, 1 << bits);
        return levels;
    }

    private static float[] Floats(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
