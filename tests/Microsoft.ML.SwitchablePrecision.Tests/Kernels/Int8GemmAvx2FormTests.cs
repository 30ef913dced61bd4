using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class Int8GemmAvx2FormTests
{
    // (activation bits, rows, depth, columns): K odd, below a quad, past a quad and a 32-byte vector; batch 1 and more.
    private static readonly (int Bits, int Rows, int Depth, int Columns)[] Shapes =
    [
        (8, 1, 1, 1), (8, 8, 3, 1), (8, 17, 65, 9), (8, 24, 577, 5), (8, 64, 576, 11), (7, 9, 31, 4), (6, 16, 144, 13),
        (5, 3, 129, 6), (4, 32, 288, 7), (3, 5, 33, 10), (2, 7, 7, 3), (1, 16, 37, 2),
    ];

    public static TheoryData<string, int, int, int, int, bool> Cases()
    {
        var data = new TheoryData<string, int, int, int, int, bool>();
        foreach (var form in Enum.GetValues<Int8Avx2Form>())
            foreach (var (bits, rows, depth, columns) in Shapes)
                foreach (bool gathered in new[] { false, true })
                    data.Add(form.ToString(), bits, rows, depth, columns, gathered);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryFormEqualsTheReference(string form, int bits, int rows, int depth, int columns, bool gathered)
    {
        if (!KernelSupport.IsSupported(KernelVariant.Avx2)) return;
        var chosen = Enum.Parse<Int8Avx2Form>(form);
        var random = new Random(bits * 131 + rows * 7 + depth + columns);
        // Full s8 weights with the extremes +-127 and -128 in every row, so pair sums of 8-bit levels would saturate.
        var values = Enumerable.Range(0, rows * depth).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        for (int m = 0; m < rows; m++) values[m * depth + (m % depth)] = (m % 3) switch { 0 => 127, 1 => -127, _ => -128 };
        // Pair sums (plain or grouped) are only exact with small weights at 8-bit levels: those forms get |w| <= 64 there.
        if (chosen is Int8Avx2Form.PairSums or Int8Avx2Form.GroupedPairSums && bits == 8)
            for (int i = 0; i < values.Length; i++) values[i] = (sbyte)Math.Clamp((int)values[i], -64, 64);
        var weights = Int8Weights.FromValues(values, rows, depth);
        int stride = weights.PaddedDepth + 3;
        var levels = GemmCases.RandomLevels(random, columns * stride, bits);
        for (int p = 0; p < columns; p++) levels[p * stride] = (byte)((1 << bits) - 1);
        var columnOffsets = Enumerable.Range(0, columns).Select(p => p * stride).ToArray();
        // Quads read in reverse order, so a kernel that ignored the offsets would differ.
        var quadOffsets = Enumerable.Range(0, weights.Quads).Select(q => (weights.Quads - 1 - q) * Int8Weights.QuadSize).ToArray();
        ByteColumns Activations() => gathered
            ? ByteColumns.Gathered(levels, columnOffsets, quadOffsets, bits)
            : new ByteColumns(levels, columns, stride, bits);
        foreach (var range in new[] { GemmRange.All(rows, columns), GemmCases.Inner(rows, columns) })
            foreach (bool columnMajor in new[] { false, true })
            {
                var layout = GemmCases.Layout(columnMajor, range);
                var expected = new int[range.RowCount * range.ColumnCount];
                var output = new int[expected.Length];
                Int8Gemm.Reference(weights, Activations(), expected, layout, range);
                Int8Gemm.MultiplyAvx2(weights, Activations(), output, layout, range, chosen);
                Assert.Equal(expected, output);
            }
    }

    [Fact]
    public void EightBitLevelsWithLargeWeightsTakeTheWordsAndPairSumsThatWouldSaturateAreRefused()
    {
        var large = Int8Weights.FromValues([100, -3, 7, 1], 1, 4);
        var small = Int8Weights.FromValues([64, -64, 7, 1], 1, 4);
        Assert.Equal(Int8Avx2Form.Words, Int8Gemm.Avx2FormFor(large, 8));
        Assert.Equal(Int8Avx2Form.PairSums, Int8Gemm.Avx2FormFor(large, 7));
        Assert.Equal(Int8Avx2Form.PairSums, Int8Gemm.Avx2FormFor(small, 8));
        // 4-bit levels and |w| <= 100: a pair sum is at most 3,000, so ten fit in int16 and the 3 quads of depth 12 form one group.
        var deeper = Int8Weights.FromValues([100, .. new sbyte[11]], 1, 12);
        Assert.Equal(3, Int8Gemm.GroupedQuads(deeper, 4));
        Assert.Equal(Int8Avx2Form.GroupedPairSums, Int8Gemm.Avx2FormFor(deeper, 4));
        Assert.Equal(0, Int8Gemm.GroupedQuads(large, 8));
        if (!KernelSupport.IsSupported(KernelVariant.Avx2)) return;
        var error = Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyAvx2(large, new ByteColumns(new byte[4], 1, 4, 8),
            new int[1], OutputLayout.RowMajor(1), GemmRange.All(1, 1), Int8Avx2Form.PairSums));
        Assert.Contains("PairSums is not exact for 8-bit levels with weights up to 100", error.Message);
        error = Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyAvx2(large, new ByteColumns(new byte[4], 1, 4, 8),
            new int[1], OutputLayout.RowMajor(1), GemmRange.All(1, 1), Int8Avx2Form.GroupedPairSums));
        Assert.Contains("GroupedPairSums is not exact for 8-bit levels with weights up to 100", error.Message);
    }

    // (activation bits, |w|max, expected group): W4A4 DoReFa (odd levels up to 15), W2A2 (3), W1A4 (1), full s8 weights
    // at 4 bits, 7-bit levels. Every weight at +-|w|max and every level at its maximum, so the int16 sums of a group
    // reach the bound: one quad too many per group would wrap.
    [Theory]
    [InlineData(4, 15, 72)]
    [InlineData(2, 3, 1820)]
    [InlineData(4, 1, 1092)]
    [InlineData(4, 128, 8)]
    [InlineData(7, 7, 18)]
    public void GroupedPairSumsAtTheirBoundEqualTheReference(int bits, int maxMagnitude, int group)
    {
        const int rows = 24, columns = 5;
        int depth = (2 * group + 3) * Int8Weights.QuadSize - 1;
        var values = new sbyte[rows * depth];
        for (int m = 0; m < rows; m++)
            for (int k = 0; k < depth; k++)
                values[m * depth + k] = (sbyte)(m % 2 == 0 ? -maxMagnitude : Math.Min(maxMagnitude, 127));
        var weights = Int8Weights.FromValues(values, rows, depth);
        Assert.Equal(group, Int8Gemm.GroupedQuads(weights, bits));
        Assert.Equal(Int8Avx2Form.GroupedPairSums, Int8Gemm.Avx2FormFor(weights, bits));
        if (!KernelSupport.IsSupported(KernelVariant.Avx2)) return;
        int stride = weights.PaddedDepth;
        var levels = Enumerable.Repeat((byte)((1 << bits) - 1), columns * stride).ToArray();
        var range = GemmRange.All(rows, columns);
        var expected = new int[rows * columns];
        var output = new int[expected.Length];
        Int8Gemm.Reference(weights, new ByteColumns(levels, columns, stride, bits), expected, OutputLayout.RowMajor(columns), range);
        Int8Gemm.MultiplyAvx2(weights, new ByteColumns(levels, columns, stride, bits), output, OutputLayout.RowMajor(columns), range,
            Int8Avx2Form.GroupedPairSums);
        Assert.Equal(expected, output);
        Assert.Equal(-(long)maxMagnitude * ((1 << bits) - 1) * depth, expected[0]);
    }
}
