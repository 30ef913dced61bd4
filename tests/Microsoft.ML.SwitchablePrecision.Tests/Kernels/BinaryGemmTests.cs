using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class BinaryGemmTests
{
    [Fact]
    public void SmallProductWorkedByHand()
    {
        // w = [[+, -, +], [-, -, +]], q = [[3, 0], [1, 2], [2, 1]] (2 bits)
        // row 0: 3 - 1 + 2 = 4, 0 - 2 + 1 = -1 ; row 1: -3 - 1 + 2 = -2, 0 - 2 + 1 = -1
        var weights = PackedBinaryWeights.FromMatrix([0.5f, -1f, 0f, -2f, -0.5f, 1f], 2, 3);
        var planes = PackedBitPlanes.FromLevels([3, 0, 1, 2, 2, 1], 3, 2, 2);
        var output = new int[4];
        BinaryGemm.Multiply(weights, planes, output);
        Assert.Equal([4, -1, -2, -1], output);
    }

    [Fact]
    public void OneBitActivationsAreZeroOrOneSoTheProductIsAndPopcountNotXnor()
    {
        // All weights -1, all activations 1: sum = -K. An XNOR kernel reading activations as +-1 would also give -K,
        // so use activations 0: the sum must be 0, where XNOR would give +K.
        var weights = PackedBinaryWeights.FromMatrix(Enumerable.Repeat(-1f, 70).ToArray(), 1, 70);
        var output = new int[2];
        var levels = new byte[70 * 2];
        for (int k = 0; k < 70; k++) levels[k * 2 + 1] = 1;
        BinaryGemm.Multiply(weights, PackedBitPlanes.FromLevels(levels, 70, 2, 1), output);
        Assert.Equal([0, -70], output);
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(1, 5, 63, 3)]
    [InlineData(2, 4, 64, 2)]
    [InlineData(4, 7, 65, 5)]
    [InlineData(8, 9, 200, 7)]
    [InlineData(2, 16, 144, 49)]
    [InlineData(4, 13, 577, 11)]
    [InlineData(8, 3, 130, 1)]
    public void MatchesTheIntegerReference(int bits, int rows, int depth, int columns)
    {
        var random = new Random(bits * 1000 + depth);
        var w = KernelReference.RandomWeights(random, rows * depth);
        var levels = KernelReference.RandomLevels(random, depth * columns, bits);
        var output = new int[rows * columns];
        BinaryGemm.Multiply(PackedBinaryWeights.FromMatrix(w, rows, depth), PackedBitPlanes.FromLevels(levels, depth, columns, bits), output);
        Assert.Equal(KernelReference.Gemm(w, levels, rows, depth, columns), output);
    }

    [Fact]
    public void LargestLevelsEverywhereGiveTheExtremeSums()
    {
        int depth = 129, columns = 3;
        var w = new float[2 * depth];
        Array.Fill(w, 1f, 0, depth);
        Array.Fill(w, -1f, depth, depth);
        var levels = Enumerable.Repeat((byte)255, depth * columns).ToArray();
        var output = new int[2 * columns];
        BinaryGemm.Multiply(PackedBinaryWeights.FromMatrix(w, 2, depth), PackedBitPlanes.FromLevels(levels, depth, columns, 8), output);
        Assert.Equal([255 * 129, 255 * 129, 255 * 129, -255 * 129, -255 * 129, -255 * 129], output);
    }

    [Fact]
    public void MismatchedDepthIsRejected()
    {
        var weights = PackedBinaryWeights.FromMatrix(new float[2 * 10], 2, 10);
        var planes = new PackedBitPlanes(11, 3, 2);
        var error = Assert.Throws<ArgumentException>(() => BinaryGemm.Multiply(weights, planes, new int[6]));
        Assert.Equal("activations", error.ParamName);
        Assert.Contains("expected the weights' depth 10", error.Message);
    }

    [Fact]
    public void WrongOutputLengthIsRejected()
    {
        var weights = PackedBinaryWeights.FromMatrix(new float[2 * 10], 2, 10);
        var planes = new PackedBitPlanes(10, 3, 2);
        var error = Assert.Throws<ArgumentException>(() => BinaryGemm.Multiply(weights, planes, new int[5]));
        Assert.Equal("output", error.ParamName);
        Assert.Contains("expected weights.Rows * activations.Columns = 6", error.Message);
    }
}
