using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class BitSerialGemmTests
{
    public static TheoryData<string> Variants() => [.. BitSerialGemm.Variants.Select(v => v.ToString())];

    // (weight bits, activation bits, rows, depth, columns): odd and ResNet-20 shapes, K below, at and past word and
    // vector boundaries (64 bits a word, 256 and 512 bits a vector), more than 31 words per plane (byte counters).
    public static TheoryData<string, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int, int, int>();
        (int, int, int, int, int)[] shapes =
        [
            (1, 1, 1, 1, 1), (1, 1, 16, 144, 49), (1, 2, 5, 63, 7), (1, 3, 17, 65, 9), (1, 4, 32, 288, 13),
            (1, 5, 9, 200, 4), (1, 6, 3, 513, 6), (1, 7, 24, 577, 5), (1, 8, 64, 576, 11), (1, 8, 7, 2100, 3),
            (2, 1, 16, 144, 10), (2, 2, 11, 130, 9), (2, 3, 8, 64, 5), (2, 4, 33, 300, 7), (2, 8, 3, 2049, 2),
        ];
        foreach (var variant in BitSerialGemm.Variants)
            foreach (var (wb, ab, m, k, p) in shapes) data.Add(variant.ToString(), wb, ab, m, k, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryVariantEqualsTheIntegerProductOnLevels(string variant, int weightBits, int activationBits, int rows, int depth, int columns)
    {
        var random = new Random(weightBits * 7919 + activationBits * 131 + depth + rows);
        var weightLevels = GemmCases.RandomLevels(random, rows * depth, weightBits);
        var levels = GemmCases.RandomLevels(random, columns * depth, activationBits);
        // Symmetric DoReFa integers 2l - (2^kw - 1) for the first shapes, LSQ-style l - 2^(kw-1) for the others.
        int multiplier = depth % 2 == 0 ? 2 : 1, offset = multiplier == 2 ? (1 << weightBits) - 1 : 1 << (weightBits - 1);
        var weights = BitSerialWeights.FromLevels(weightLevels, rows, depth, weightBits, multiplier, offset);
        var integers = weightLevels.Select(l => multiplier * l - offset).ToArray();
        var (words, sums) = Pack(levels, depth, columns, activationBits);
        var activations = new BitPlaneColumns(words, sums, columns, activationBits, weights.WordsPerPlane);

        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var output = new int[range.RowCount * range.ColumnCount];
                BitSerialGemm.Multiply(weights, activations, output, layout, range, Enum.Parse<KernelVariant>(variant));
                Assert.Equal(GemmCases.IntegerProduct(integers, levels, depth, depth, range, layout), output);
            }
    }

    // The AVX-512 forms forced: the shapes above, plus planes of exactly one carry-save block (16 words), one block and
    // a remainder, many blocks, and more than 31 blocks (the sixteens' byte counters fold).
    public static TheoryData<string, int, int, int, int, int> Avx512FormShapes()
    {
        var data = new TheoryData<string, int, int, int, int, int>();
        (int, int, int, int, int)[] shapes =
        [
            (1, 1, 16, 144, 49), (1, 2, 5, 63, 7), (1, 7, 24, 577, 5), (1, 8, 7, 2100, 3), (2, 2, 11, 130, 9), (2, 8, 3, 2049, 2),
            (1, 1, 16, 1024, 3), (1, 2, 17, 1152, 5), (2, 1, 9, 1090, 2), (1, 1, 32, 4608, 16), (1, 3, 8, 4600, 2),
            (2, 2, 16, 2304, 3), (1, 1, 3, 33000, 2), (2, 1, 8, 31745, 1),
        ];
        foreach (var form in Enum.GetValues<BitSerialAvx512Form>())
            foreach (var (wb, ab, m, k, p) in shapes) data.Add(form.ToString(), wb, ab, m, k, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Avx512FormShapes))]
    public void EveryAvx512FormEqualsTheIntegerProductOnLevels(string form, int weightBits, int activationBits, int rows, int depth, int columns)
    {
        if (!KernelSupport.IsSupported(KernelVariant.Avx512)) return;
        var random = new Random(weightBits * 31 + activationBits * 7 + depth + rows * 3);
        var weightLevels = GemmCases.RandomLevels(random, rows * depth, weightBits);
        var levels = GemmCases.RandomLevels(random, columns * depth, activationBits);
        // Every weight bit and activation bit set in the first row and column: all counters carry at once.
        for (int k = 0; k < depth; k++) weightLevels[k] = (byte)((1 << weightBits) - 1);
        for (int k = 0; k < depth; k++) levels[k] = (byte)((1 << activationBits) - 1);
        var weights = BitSerialWeights.FromLevels(weightLevels, rows, depth, weightBits, 2, (1 << weightBits) - 1);
        var integers = weightLevels.Select(l => 2 * l - ((1 << weightBits) - 1)).ToArray();
        var (words, sums) = Pack(levels, depth, columns, activationBits);
        var activations = new BitPlaneColumns(words, sums, columns, activationBits, weights.WordsPerPlane);
        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var output = new int[range.RowCount * range.ColumnCount];
                BitSerialGemm.MultiplyAvx512(weights, activations, output, layout, range, Enum.Parse<BitSerialAvx512Form>(form));
                Assert.Equal(GemmCases.IntegerProduct(integers, levels, depth, depth, range, layout), output);
            }
    }

    [Fact]
    public void CarrySaveServesTwoBlocksOfOnePlaneOrOneBlockOfTwoPlanes()
    {
        Assert.Equal(BitSerialAvx512Form.NibbleLookup, BitSerialGemm.Avx512FormFor(15, 8));
        Assert.Equal(BitSerialAvx512Form.NibbleLookup, BitSerialGemm.Avx512FormFor(18, 1));
        Assert.Equal(BitSerialAvx512Form.CarrySave, BitSerialGemm.Avx512FormFor(18, 2));
        Assert.Equal(BitSerialAvx512Form.CarrySave, BitSerialGemm.Avx512FormFor(32, 1));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SignWeightsOnLargestLevelsGiveTheExtremeSums(string variant)
    {
        int depth = 129, columns = 3;
        var w = new float[2 * depth];
        Array.Fill(w, 0.5f, 0, depth);
        Array.Fill(w, -0.5f, depth, depth);
        var weights = BitSerialWeights.FromSigns(w, 2, depth);
        var (words, sums) = Pack(Enumerable.Repeat((byte)255, depth * columns).ToArray(), depth, columns, 8);
        var output = new int[2 * columns];
        BitSerialGemm.Multiply(weights, new BitPlaneColumns(words, sums, columns, 8, weights.WordsPerPlane), output,
            OutputLayout.RowMajor(columns), GemmRange.All(2, columns), Enum.Parse<KernelVariant>(variant));
        Assert.Equal([255 * 129, 255 * 129, 255 * 129, -255 * 129, -255 * 129, -255 * 129], output);
    }

    [Fact]
    public void OneBitActivationsAreZeroOrOneNotPlusMinusOne()
    {
        // All weights -1 against activations 0 and 1: sums 0 and -K (XNOR of +-1 values would give +K and -K).
        var weights = BitSerialWeights.FromSigns(Enumerable.Repeat(-1f, 70).ToArray(), 1, 70);
        var levels = new byte[2 * 70];
        Array.Fill(levels, (byte)1, 70, 70);
        var (words, sums) = Pack(levels, 70, 2, 1);
        var output = new int[2];
        BitSerialGemm.Multiply(weights, new BitPlaneColumns(words, sums, 2, 1, weights.WordsPerPlane), output,
            OutputLayout.RowMajor(2), GemmRange.All(1, 2));
        Assert.Equal([0, -70], output);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(63, 2)]
    [InlineData(64, 8)]
    [InlineData(65, 3)]
    [InlineData(144, 1)]
    [InlineData(200, 4)]
    [InlineData(577, 7)]
    public void VectorisedColumnPackingEqualsThePerBitLoop(int depth, int bits)
    {
        var levels = GemmCases.RandomLevels(new Random(depth * 8 + bits), depth, bits);
        int words = bits * BitRows.WordsFor(depth);
        var packed = Enumerable.Repeat(ulong.MaxValue, words).ToArray();
        var expected = new ulong[words];
        int sum = BitPlaneColumns.PackColumn(levels, bits, packed);
        Assert.Equal(BitPlaneColumns.PackColumnReference(levels, bits, expected), sum);
        Assert.Equal(levels.Sum(l => l), sum);
        Assert.Equal(expected, packed);
    }

    [Fact]
    public void PackersRoundTripLevelsAndPadRowsWithZeroBlocks()
    {
        var levels = GemmCases.RandomLevels(new Random(3), 5 * 70, 2);
        var weights = BitSerialWeights.FromLevels(levels, 5, 70, 2, 2, 3);
        Assert.Equal(2, weights.RowBlocks);
        for (int m = 0; m < 5; m++)
            for (int k = 0; k < 70; k++) Assert.Equal(levels[m * 70 + k], weights.Level(m, k));
        Assert.Equal(2 * levels[0] - 3, weights.Weight(0, 0));
        Assert.All(Enumerable.Range(5, 11), m => Assert.Equal(0, weights.Level(m, 0)));
        Assert.Equal(2L * 2 * 2 * 8 * 8, weights.PackedByteCount);
    }

    [Theory]
    [InlineData(new[] { -3, -1, 1, 3, 3, -3 }, 2, 3, 2)]
    [InlineData(new[] { -2, -1, 0, 1, 0, -2 }, 1, 2, 2)]
    [InlineData(new[] { -1, 1, 1, -1, 1, 1 }, 2, 1, 1)]
    public void SignedIntegersPackIntoTheFewestPlanesAndReadBack(int[] integers, int multiplier, int offset, int bits)
    {
        var weights = BitSerialWeights.FromIntegers(integers, 2, 3, multiplier, offset);
        Assert.Equal(bits, weights.Bits);
        Assert.Equal(integers, Enumerable.Range(0, 6).Select(i => weights.Weight(i / 3, i % 3)));
        var error = Assert.Throws<ArgumentException>(() => BitSerialWeights.FromIntegers([1, 2], 1, 2, 2, 3));
        Assert.Contains("weights[1] is 2; expected 2 * level - 3 with level 0..3", error.Message);
    }

    [Fact]
    public void WrongWeightBitsAndMismatchedDepthAreRejectedByName()
    {
        var three = Assert.Throws<ArgumentOutOfRangeException>(() => BitSerialWeights.FromLevels(new byte[4], 2, 2, 3, 2, 7));
        Assert.Contains("expected 1 or 2", three.Message);
        var weights = BitSerialWeights.FromSigns(new float[2 * 100], 2, 100);
        var error = Assert.Throws<ArgumentException>(() => BitSerialGemm.Multiply(weights,
            new BitPlaneColumns(new ulong[3], new int[3], 3, 1, 1), new int[6], OutputLayout.RowMajor(3), GemmRange.All(2, 3)));
        Assert.Equal("activations", error.ParamName);
        Assert.Contains("needs 2", error.Message);
    }

    [Fact]
    public void RangesOutsideTheMatrixAndShortOutputsAreRejected()
    {
        var weights = BitSerialWeights.FromSigns(new float[4 * 10], 4, 10);
        var words = new ulong[3];
        var sums = new int[3];
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => BitSerialGemm.Multiply(weights,
            new BitPlaneColumns(words, sums, 3, 1, 1), new int[30], OutputLayout.RowMajor(3), new GemmRange(0, 5, 0, 3)));
        Assert.Contains("rows [0, 5)", range.Message);
        var output = Assert.Throws<ArgumentException>(() => BitSerialGemm.Multiply(weights,
            new BitPlaneColumns(words, sums, 3, 1, 1), new int[11], OutputLayout.RowMajor(3), GemmRange.All(4, 3)));
        Assert.Equal("output", output.ParamName);
        Assert.Contains("needs 12", output.Message);
    }

    [Fact]
    public void AVariantTheKernelLacksIsRejected()
    {
        var weights = BitSerialWeights.FromSigns(new float[4], 1, 4);
        var error = Assert.Throws<ArgumentException>(() => BitSerialGemm.Multiply(weights,
            new BitPlaneColumns(new ulong[1], new int[1], 1, 1, 1), new int[1], OutputLayout.RowMajor(1), GemmRange.All(1, 1),
            KernelVariant.AvxVnni));
        Assert.Contains("has no AvxVnni variant", error.Message);
    }

    private static (ulong[] Words, int[] Sums) Pack(byte[] levels, int depth, int columns, int bits)
    {
        int perColumn = bits * BitRows.WordsFor(depth);
        var words = new ulong[columns * perColumn];
        var sums = new int[columns];
        for (int p = 0; p < columns; p++)
            sums[p] = BitPlaneColumns.PackColumn(levels.AsSpan(p * depth, depth), bits, words.AsSpan(p * perColumn, perColumn));
        return (words, sums);
    }
}
