using Microsoft.ML.SwitchablePrecision.Quantization;
using static Microsoft.ML.SwitchablePrecision.Tests.Quantization.TensorAssert;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

public class DoReFaTests
{
    // Weights chosen as atanh(t) so tanh(w) = t = [-0.8, -0.3, 0.1, 0.5, 0.8]; max|tanh| = 0.8,
    // u = t / 1.6 + 0.5 = [0, 0.3125, 0.5625, 0.8125, 1].
    private static readonly float[] Tanh = [-0.8f, -0.3f, 0.1f, 0.5f, 0.8f];

    private static Tensor AtanhWeights() => tensor(Tanh).atanh().requires_grad_(true);

    [Fact]
    public void TwoBitWeightsFollowTheTanhGrid()
    {
        using var scope = NewDisposeScope();
        // 3u = [0, 0.9375, 1.6875, 2.4375, 3] -> [0, 1, 2, 2, 3] / 3 -> 2q - 1 = [-1, -1/3, 1/3, 1/3, 1]
        Close([-1, -1 / 3.0, 1 / 3.0, 1 / 3.0, 1], DoReFa.QuantizeWeights(AtanhWeights(), 2));
    }

    [Fact]
    public void FourBitWeightsFollowTheTanhGrid()
    {
        using var scope = NewDisposeScope();
        // 15u = [0, 4.6875, 8.4375, 12.1875, 15] -> [0, 5, 8, 12, 15] / 15 -> [-1, -1/3, 1/15, 9/15, 1]
        Close([-1, -1 / 3.0, 1 / 15.0, 0.6, 1], DoReFa.QuantizeWeights(AtanhWeights(), 4));
    }

    [Fact]
    public void OneBitWeightsAreSignTimesMeanAbsoluteWithZeroPositive()
    {
        using var scope = NewDisposeScope();
        // mean|w| = (0.5 + 0 + 0.25 + 1.25) / 4 = 0.5 ; sign(0) = +1
        var w = Leaf(-0.5f, 0f, 0.25f, 1.25f);
        var q = DoReFa.QuantizeWeights(w, 1);
        Close([-0.5, 0.5, 0.5, 0.5], q);
        q.sum().backward();
        Close([1, 1, 1, 1], w.grad!); // identity straight-through estimator
    }

    [Fact]
    public void MultiBitWeightGradientFlowsThroughTanhWithMaxHeldConstant()
    {
        using var scope = NewDisposeScope();
        var w = AtanhWeights();
        DoReFa.QuantizeWeights(w, 2).sum().backward();
        // d/dw [2 (tanh w / (2M) + 1/2) - 1] = (1 - tanh^2 w) / M, M = 0.8:
        // (1 - [0.64, 0.09, 0.01, 0.25, 0.64]) / 0.8 = [0.45, 1.1375, 1.2375, 0.9375, 0.45]
        Close([0.45, 1.1375, 1.2375, 0.9375, 0.45], w.grad!, 1e-4);
    }

    [Fact]
    public void ActivationsAtOneTwoFourBits()
    {
        using var scope = NewDisposeScope();
        float[] x = [-0.5f, 0.12f, 0.32f, 0.45f, 0.72f, 0.92f, 1.5f];
        // clamp = [0, .12, .32, .45, .72, .92, 1]
        // 1 bit: round(clamp) = [0, 0, 0, 0, 1, 1, 1]
        Close([0, 0, 0, 0, 1, 1, 1], DoReFa.QuantizeActivations(tensor(x), 1));
        // 2 bits: 3 clamp = [0, .36, .96, 1.35, 2.16, 2.76, 3] -> [0, 0, 1, 1, 2, 3, 3] / 3
        Close([0, 0, 1 / 3.0, 1 / 3.0, 2 / 3.0, 1, 1], DoReFa.QuantizeActivations(tensor(x), 2));
        // 4 bits: 15 clamp = [0, 1.8, 4.8, 6.75, 10.8, 13.8, 15] -> [0, 2, 5, 7, 11, 14, 15] / 15
        Close([0, 2 / 15.0, 5 / 15.0, 7 / 15.0, 11 / 15.0, 14 / 15.0, 1], DoReFa.QuantizeActivations(tensor(x), 4));
    }

    [Fact]
    public void ActivationGradientIsOneInsideTheClampRangeOnly()
    {
        using var scope = NewDisposeScope();
        var x = Leaf(-0.5f, 0.12f, 0.32f, 0.72f, 1.5f);
        DoReFa.QuantizeActivations(x, 2).sum().backward();
        Close([0, 1, 1, 1, 0], x.grad!);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void KBitActivationsTakeAtMostTwoToTheKValues(int bits)
    {
        using var scope = NewDisposeScope();
        var x = randn(4096).mul(2);
        Assert.Equal(1 << bits, DistinctCount(DoReFa.QuantizeActivations(x, bits)));
        Assert.Equal(1 << bits, DistinctCount(DoReFa.QuantizeWeights(x, bits)));
    }

    [Fact]
    public void ThirtyTwoBitsIsTheIdentityForValuesAndGradients()
    {
        using var scope = NewDisposeScope();
        var x = Leaf(-3f, 0.25f, 7f);
        var y = DoReFa.QuantizeActivations(x, 32).add(DoReFa.QuantizeWeights(x, 32));
        Close([-6, 0.5, 14], y);
        y.sum().backward();
        Close([2, 2, 2], x.grad!);
    }

    [Fact]
    public void UnsupportedBitWidthIsRejectedWithItsValue()
    {
        using var x = ones(3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DoReFa.QuantizeWeights(x, 16));
        Assert.Contains("Bit width 16 is not supported", error.Message);
    }
}
