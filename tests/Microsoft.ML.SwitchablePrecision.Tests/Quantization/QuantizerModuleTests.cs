using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization;
using static Microsoft.ML.SwitchablePrecision.Tests.Quantization.TensorAssert;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

public class QuantizerModuleTests
{
    private static SwitchContext Context(params string[] switches) => new(switches.Select(Precision.Parse).ToArray());

    [Fact]
    public void PactHasOneAlphaPerQuantizedSwitchAndTrainsOnlyTheActiveOne()
    {
        using var scope = NewDisposeScope();
        var context = Context("W1A1", "W1A2", "W1A32");
        using var quantizer = new ActivationQuantizer("q", context, QuantizerKind.Pact, initialAlpha: 2f);
        Assert.Equal(["alpha_0", "alpha_1"], quantizer.named_parameters().Select(p => p.name).ToArray());
        context.ActiveIndex = 1;
        var x = Leaf(0.3f, 0.9f, 3f);
        var y = quantizer.forward(x);
        Close([0, 2 / 3.0, 2], y); // 2 bits on [0, 2]: 1.5 * [0.3, 0.9, 2] = [.45, 1.35, 3] -> [0, 1, 3] x 2/3
        y.sum().backward();
        Assert.Null(quantizer.LearnedScale(0)!.grad);
        Close([1], quantizer.LearnedScale(1)!.grad!);
        context.ActiveIndex = 2;
        Close([0.3, 0.9, 3], quantizer.forward(x));
        Assert.True(quantizer.IsIdentity);
    }

    [Fact]
    public void FullPrecisionActivationsAreClippedToTheUnitRangeOnlyWhenTheContextSaysSo()
    {
        using var scope = NewDisposeScope();
        var switches = new[] { Precision.Parse("W1A1"), Precision.Parse("W1A32") };
        using var plain = new ActivationQuantizer("q", new SwitchContext(switches), QuantizerKind.DoReFa);
        var clippingContext = new SwitchContext(switches) { ClipFullPrecisionActivations = true };
        using var clipping = new ActivationQuantizer("q", clippingContext, QuantizerKind.DoReFa);

        var x = Leaf(-0.5f, 0.3f, 0.7f, 2.5f);
        Assert.True(plain.IsIdentity);
        Close([-0.5, 0.3, 0.7, 2.5], plain.forward(x));
        Assert.False(clipping.IsIdentity);
        var y = clipping.forward(x);
        Close([0, 0.3, 0.7, 1], y); // clipped, not rounded
        y.sum().backward();
        Close([0, 1, 1, 0], x.grad!);

        clippingContext.ActiveIndex = 0; // a 1-bit switch quantizes as before
        Close([0, 0, 1, 1], clipping.forward(x));
    }

    [Fact]
    public void LsqActivationStepIsInitialisedFromTheFirstTrainingBatchOfEachSwitch()
    {
        using var scope = NewDisposeScope();
        var context = Context("W32A2", "W32A4");
        using var quantizer = new ActivationQuantizer("q", context, QuantizerKind.Lsq);
        context.ActiveIndex = 0;
        quantizer.eval();
        quantizer.forward(tensor(new[] { 1f, 2f }));
        Assert.False(quantizer.IsInitialized(0)); // evaluation never initialises

        quantizer.train();
        quantizer.forward(tensor(new[] { 0.5f, 1.5f, 2.5f, 3.5f })); // mean|x| = 2 -> s = 2 * 2 / sqrt(3)
        Assert.True(quantizer.IsInitialized(0));
        Assert.False(quantizer.IsInitialized(1));
        Assert.Equal(4 / Math.Sqrt(3), quantizer.LearnedScale(0)!.item<float>(), 5);
        quantizer.forward(tensor(new[] { 10f, 20f })); // later batches keep the step
        Assert.Equal(4 / Math.Sqrt(3), quantizer.LearnedScale(0)!.item<float>(), 5);
        Assert.Equal(1f, quantizer.LearnedScale(1)!.item<float>());

        var flags = quantizer.named_buffers().Single(b => b.name == "step_initialized").buffer;
        Close([1, 0], flags);
    }

    [Fact]
    public void LsqWeightStepsAreInitialisedAtConstructionPerSwitch()
    {
        using var scope = NewDisposeScope();
        var context = Context("W1A32", "W2A32", "W4A32", "W32A32");
        using var w = tensor(new[] { -1f, 1f, -2f, 2f }); // mean|w| = 1.5
        using var quantizer = new WeightQuantizer("w", context, QuantizerKind.Lsq, w);
        Assert.Equal(["step_0", "step_1", "step_2"], quantizer.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(1.5, quantizer.Step(0)!.item<float>(), 5);
        Assert.Equal(3.0, quantizer.Step(1)!.item<float>(), 5);
        Assert.Equal(3 / Math.Sqrt(7), quantizer.Step(2)!.item<float>(), 5);
        Assert.Null(quantizer.Step(3));
        context.ActiveIndex = 1;
        // s = 3, Q_N = 2, Q_P = 1: w/s = [-1/3, 1/3, -2/3, 2/3] -> round [0, 0, -1, 1] -> x 3
        Close([0, 0, -3, 3], quantizer.forward(w));
    }

    [Fact]
    public void DoReFaWeightQuantizerFollowsTheActiveSwitch()
    {
        using var scope = NewDisposeScope();
        var context = Context("W1A1", "W32A32");
        var w = tensor(new[] { -0.5f, 0f, 0.25f, 1.25f });
        using var quantizer = new WeightQuantizer("w", context, QuantizerKind.DoReFa, w);
        Assert.Empty(quantizer.parameters());
        context.ActiveIndex = 0;
        Close([-0.5, 0.5, 0.5, 0.5], quantizer.forward(w));
        context.ActiveIndex = 1;
        Close([-0.5, 0, 0.25, 1.25], quantizer.forward(w));
    }
}
