using Microsoft.ML.SwitchablePrecision.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Modules;

public class SwitchableLayerTests
{
    private static SwitchContext Context(params string[] switches) => new(switches.Select(Precision.Parse).ToArray());

    [Fact]
    public void TrainingForwardAtOneSwitchLeavesTheOtherSwitchStatisticsUntouched()
    {
        using var scope = NewDisposeScope();
        var context = Context("W1A1", "W32A32");
        using var bn = new SwitchableBatchNorm2d("bn", context, 3);
        bn.train();
        context.ActiveIndex = 0;
        bn.forward(randn(8, 3, 4, 4).add(5));

        var other = bn.ForSwitch(1);
        Assert.Equal(new float[] { 0, 0, 0 }, other.running_mean!.data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1 }, other.running_var!.data<float>().ToArray());
        Assert.Equal(0L, other.num_batches_tracked!.item<long>());
        var active = bn.ForSwitch(0);
        Assert.Equal(1L, active.num_batches_tracked!.item<long>());
        Assert.All(active.running_mean!.data<float>().ToArray(), m => Assert.InRange(m, 0.3f, 0.7f)); // 0.1 * ~5
    }

    [Fact]
    public void BatchNormParametersAreNamedPerSwitch()
    {
        var context = Context("W1A1", "W32A32");
        using var bn = new SwitchableBatchNorm2d("bn", context, 2);
        Assert.Equal(["bn.0.weight", "bn.0.bias", "bn.1.weight", "bn.1.bias"], bn.named_parameters().Select(p => p.name).ToArray());
    }

    [Fact]
    public void QuantizedConvolutionUsesBinaryWeightsAndInputsAtW1A1AndLatentOnesAtFullPrecision()
    {
        using var scope = NewDisposeScope();
        var context = Context("W1A1", "W32A32");
        using var conv = new QuantizedConv2d("conv", context, QuantizerKind.DoReFa, 1, 1, 2);
        using (no_grad()) conv.Weight.copy_(tensor(new[] { 0.5f, -0.25f, 1f, -0.25f }).reshape(1, 1, 2, 2));
        var x = tensor(new[] { 0.7f, 0.2f, 2f, 0.9f }).reshape(1, 1, 2, 2);

        context.ActiveIndex = 0;
        // mean|w| = 0.5 -> w_q = [0.5, -0.5, 0.5, -0.5]; x_q = round(clamp(x, 0, 1)) = [1, 0, 1, 1]
        // sum = 0.5 + 0 + 0.5 - 0.5 = 0.5
        Assert.Equal(0.5f, conv.forward(x).item<float>(), 5);
        context.ActiveIndex = 1;
        // 0.35 - 0.05 + 2 - 0.225 = 2.075
        Assert.Equal(2.075f, conv.forward(x).item<float>(), 5);
        Assert.Equal("weight", conv.named_parameters().Single().name);
    }

    [Fact]
    public void QuantizedLinearGradientReachesTheSharedLatentWeight()
    {
        using var scope = NewDisposeScope();
        var context = Context("W2A2", "W32A32");
        using var linear = new QuantizedLinear("fc", context, QuantizerKind.DoReFa, 4, 3, quantizeWeights: true, quantizeInput: true);
        context.ActiveIndex = 0;
        linear.forward(rand(5, 4)).sum().backward();
        Assert.NotNull(linear.Weight.grad);
        Assert.True(linear.Weight.grad!.abs().sum().item<float>() > 0);
        Assert.Equal(new long[] { 5, 3 }, linear.forward(rand(5, 4)).shape);
    }
}
