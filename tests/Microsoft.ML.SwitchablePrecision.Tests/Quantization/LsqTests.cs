using Microsoft.ML.SwitchablePrecision.Quantization;
using static Microsoft.ML.SwitchablePrecision.Tests.Quantization.TensorAssert;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

public class LsqTests
{
    [Fact]
    public void TwoBitSignedValuesStepGradientAndScale()
    {
        using var scope = NewDisposeScope();
        // Q_N = 2, Q_P = 1, s = 0.5
        var x = Leaf(-1.5f, -0.6f, -0.2f, 0.3f, 0.4f, 0.9f);
        var s = tensor(0.5f).requires_grad_(true);
        double g = Lsq.GradientScale(6, 2, signed: true);
        Assert.Equal(1 / Math.Sqrt(6), g, 12); // 1 / sqrt(numel 6 * Q_P 1)
        var q = Lsq.Quantize(x, s, 2, signed: true, g);
        // x/s = [-3, -1.2, -0.4, 0.6, 0.8, 1.8] -> clamp [-2, 1] -> round [-2, -1, 0, 1, 1, 1] -> x 0.5
        Close([-1, -0.5, 0, 0.5, 0.5, 0.5], q);
        q.sum().backward();
        Close([0, 1, 1, 1, 1, 0], x.grad!);
        // dq/ds: clamped -> level (-2, 1); inside -> round(x/s) - x/s = 0.2, 0.4, 0.4, 0.2. Sum 0.2, times g.
        Close([0.2 / Math.Sqrt(6)], s.grad!);
    }

    [Fact]
    public void FourBitSignedValues()
    {
        using var scope = NewDisposeScope();
        // Q_N = 8, Q_P = 7, s = 0.25: x/s = [-12, -2.4, 0.4, 2.2, 8] -> clamp [-8, 7] -> round [-8, -2, 0, 2, 7]
        var q = Lsq.Quantize(tensor(new[] { -3f, -0.6f, 0.1f, 0.55f, 2f }), tensor(0.25f), 4, signed: true, 1.0);
        Close([-2, -0.5, 0, 0.5, 1.75], q);
    }

    [Fact]
    public void OneBitSignedUsesMinusAndPlusStep()
    {
        using var scope = NewDisposeScope();
        var x = Leaf(-2f, -0.3f, 0f, 0.2f, 0.9f);
        var s = tensor(0.5f).requires_grad_(true);
        double g = Lsq.GradientScale(5, 1, signed: true);
        var q = Lsq.Quantize(x, s, 1, signed: true, g);
        // x/s = [-4, -0.6, 0, 0.4, 1.8] -> clamp [-1, 1] -> sign (0 -> +1) = [-1, -1, 1, 1, 1] -> x 0.5
        Close([-0.5, -0.5, 0.5, 0.5, 0.5], q);
        q.sum().backward();
        Close([0, 1, 1, 1, 0], x.grad!);
        // dq/ds: -1 (clamped), -1 + 0.6, 1 - 0, 1 - 0.4, 1 (clamped): sum 1.2, times g = 1 / sqrt(5)
        Close([1.2 / Math.Sqrt(5)], s.grad!);
    }

    [Fact]
    public void UnsignedActivationsAtOneAndTwoBits()
    {
        using var scope = NewDisposeScope();
        // 1 bit: Q_P = 1, s = 1: clamp(x, 0, 1) = [0, .3, .6, 1] -> round [0, 0, 1, 1]
        Close([0, 0, 1, 1], Lsq.Quantize(tensor(new[] { -1f, 0.3f, 0.6f, 2f }), tensor(1f), 1, signed: false, 1.0));
        // 2 bits: Q_P = 3, s = 0.5: x/s = [-2, .4, 1.4, 2.2, 5] -> clamp [0, 3] -> [0, 0, 1, 2, 3] -> x 0.5
        Close([0, 0, 0.5, 1, 1.5], Lsq.Quantize(tensor(new[] { -1f, 0.2f, 0.7f, 1.1f, 2.5f }), tensor(0.5f), 2, signed: false, 1.0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void KBitValuesTakeAtMostTwoToTheKValues(int bits)
    {
        using var scope = NewDisposeScope();
        var x = randn(4096).mul(3);
        Assert.Equal(1 << bits, DistinctCount(Lsq.Quantize(x, tensor(0.2f), bits, signed: false, 1.0)));
        Assert.Equal(1 << bits, DistinctCount(Lsq.Quantize(x, tensor(0.2f), bits, signed: true, 1.0)));
    }

    [Fact]
    public void InitialStepsFollowTheDocumentedRule()
    {
        using var w = tensor(new[] { -1f, 1f, -2f, 2f }); // mean|w| = 1.5
        Assert.Equal(3.0, Lsq.InitialStep(w, 2, signed: true), 5);                  // 2 * 1.5 / sqrt(1)
        Assert.Equal(3.0 / Math.Sqrt(7), Lsq.InitialStep(w, 4, signed: true), 5);   // 2 * 1.5 / sqrt(7)
        Assert.Equal(1.5, Lsq.InitialStep(w, 1, signed: true), 5);                  // mean|w| at 1 bit
        Assert.Equal(3.0 / Math.Sqrt(3), Lsq.InitialStep(w, 2, signed: false), 5);  // 2 * 1.5 / sqrt(3)
    }

    [Fact]
    public void ThirtyTwoBitsIsTheIdentity()
    {
        using var scope = NewDisposeScope();
        var x = Leaf(-3f, 0.123f, 7f);
        var q = Lsq.Quantize(x, tensor(0.5f), 32, signed: true, 1.0);
        Close([-3, 0.123, 7], q);
        q.sum().backward();
        Close([1, 1, 1], x.grad!);
    }
}
