using Microsoft.ML.SwitchablePrecision.Quantization;
using static Microsoft.ML.SwitchablePrecision.Tests.Quantization.TensorAssert;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

public class PactTests
{
    private static readonly float[] X = [-1f, 0.3f, 0.9f, 1.2f, 2f, 3f];
    // With alpha = 2: y = clamp(x, 0, 2) = [0, 0.3, 0.9, 1.2, 2, 2]

    [Fact]
    public void OneBitUsesZeroAndAlpha()
    {
        using var scope = NewDisposeScope();
        // step 2: y / 2 = [0, .15, .45, .6, 1, 1] -> [0, 0, 0, 1, 1, 1] -> x 2
        Close([0, 0, 0, 2, 2, 2], Pact.QuantizeActivations(tensor(X), tensor(2f), 1));
    }

    [Fact]
    public void TwoBitsUseFourLevelsUpToAlpha()
    {
        using var scope = NewDisposeScope();
        // step 2/3: 1.5 y = [0, .45, 1.35, 1.8, 3, 3] -> [0, 0, 1, 2, 3, 3] -> x 2/3
        Close([0, 0, 2 / 3.0, 4 / 3.0, 2, 2], Pact.QuantizeActivations(tensor(X), tensor(2f), 2));
    }

    [Fact]
    public void FourBitsUseSixteenLevelsUpToAlpha()
    {
        using var scope = NewDisposeScope();
        // step 2/15: 7.5 y = [0, 2.25, 6.75, 9, 15, 15] -> [0, 2, 7, 9, 15, 15] -> x 2/15
        Close([0, 4 / 15.0, 14 / 15.0, 18 / 15.0, 2, 2], Pact.QuantizeActivations(tensor(X), tensor(2f), 4));
    }

    [Fact]
    public void GradientsAreStraightThroughBelowAlphaAndCountSaturatedValuesForAlpha()
    {
        using var scope = NewDisposeScope();
        var x = Leaf(X);
        var alpha = tensor(2f).requires_grad_(true);
        Pact.QuantizeActivations(x, alpha, 2).sum().backward();
        Close([0, 1, 1, 1, 0, 0], x.grad!);
        // x >= alpha for 2 and 3: dL/dalpha = 1 + 1
        Close([2], alpha.grad!);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void KBitActivationsTakeAtMostTwoToTheKValues(int bits)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(1 << bits, DistinctCount(Pact.QuantizeActivations(randn(4096).mul(4), tensor(3f), bits)));
    }

    [Fact]
    public void ThirtyTwoBitsIsTheIdentityAndLeavesAlphaWithoutGradient()
    {
        using var scope = NewDisposeScope();
        var x = Leaf(-1f, 5f, 9f);
        var alpha = tensor(2f).requires_grad_(true);
        var y = Pact.QuantizeActivations(x, alpha, 32);
        Close([-1, 5, 9], y);
        y.sum().backward();
        Close([1, 1, 1], x.grad!);
        Assert.True(alpha.grad is null || alpha.grad.item<float>() == 0);
    }

    [Fact]
    public void AlphaWithSeveralValuesIsRejected()
    {
        using var x = ones(3);
        using var alpha = ones(2);
        var error = Assert.Throws<ArgumentException>(() => Pact.QuantizeActivations(x, alpha, 2));
        Assert.Contains("PACT alpha must hold one value, but has shape [2]", error.Message);
    }
}
