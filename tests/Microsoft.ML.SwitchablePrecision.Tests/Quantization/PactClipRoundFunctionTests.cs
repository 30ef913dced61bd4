using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

// The fused PACT activation quantizer against the same rule composed from tensor operations: values and the gradients
// of the activations and of alpha equal bit for bit, so training results do not depend on which one ran.
public class PactClipRoundFunctionTests
{
    [Theory]
    [InlineData(1, 6f, 7)]
    [InlineData(2, 6f, 64)]
    [InlineData(2, 0.75f, 1003)]
    [InlineData(4, 3.5f, 1003)]
    [InlineData(8, 1.25f, 4099)]
    [InlineData(2, 5e-5f, 64)] // below the floor of alpha: the clip is alpha, the step the floor's
    public void ValuesAndGradientsEqualTheComposedRule(int bits, float alpha, int length)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(bits * 7919 + length));
        int steps = (1 << bits) - 1;
        float step = MathF.Max(alpha, 1e-4f) / steps;
        // Values on both sides of [0, alpha], the edges themselves, signed zeros and the rounding midpoints (k + 1/2) step.
        var edges = tensor(new[] { -0f, 0f, alpha, MathF.BitDecrement(alpha), MathF.BitIncrement(alpha), -1e-7f, 0.5f * step, 1.5f * step, alpha - 0.5f * step });
        var values = cat([randn(length, generator: generator).mul(alpha * 0.6).add(alpha * 0.4), edges]);
        var upstream = randn(values.shape[0], generator: generator);

        var fused = LearnedScaleGradients.Of(values, alpha, upstream, (x, a) => Pact.QuantizeActivations(x, a, bits));
        var reference = LearnedScaleGradients.Of(values, alpha, upstream, (x, a) => Pact.QuantizeActivationsReference(x, a, bits));

        Assert.Equal(reference.Values, fused.Values);
        Assert.Equal(reference.InputGradient, fused.InputGradient);
        Assert.Equal(reference.ScaleGradient, fused.ScaleGradient);
        Assert.NotEqual(0, fused.ScaleGradient[0] & int.MaxValue);
        Assert.True(fused.Values.Distinct().Count() >= Math.Min(steps + 1, 3));
    }

    [Fact]
    public void ANonContiguousInputIsQuantizedInItsLogicalOrderAndTheGradientKeepsItsShape()
    {
        using var scope = NewDisposeScope();
        var values = randn([4, 6], generator: new Generator(3)).mul(3).t();
        Assert.False(values.is_contiguous());
        var upstream = randn([6, 4], generator: new Generator(4));

        var fused = LearnedScaleGradients.Of(values, 2.5f, upstream, (x, a) => Pact.QuantizeActivations(x, a, 2));
        var reference = LearnedScaleGradients.Of(values, 2.5f, upstream, (x, a) => Pact.QuantizeActivationsReference(x, a, 2));

        Assert.Equal(reference.Values, fused.Values);
        Assert.Equal(reference.InputGradient, fused.InputGradient);
        Assert.Equal(reference.ScaleGradient, fused.ScaleGradient);
    }

    [Fact]
    public void WithoutGradientTrackingTheResultHasNoGradientFunction()
    {
        using var scope = NewDisposeScope();
        var values = randn(32, generator: new Generator(5)).mul(4).requires_grad_(true);
        var alpha = tensor(new[] { 3f }).requires_grad_(true);
        Tensor quantized;
        using (no_grad()) quantized = Pact.QuantizeActivations(values, alpha, 2);

        Assert.False(quantized.requires_grad);
        Assert.Equal(Pact.QuantizeActivationsReference(values.detach(), alpha.detach(), 2).data<float>().ToArray().Select(BitConverter.SingleToInt32Bits),
            quantized.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ThePlanLevelsOfTheFusedValuesAreTheRuntimeRulesLevels()
    {
        // Training and inference share the level rule: the fused forward's value is level * step of the plan's quantizer.
        using var scope = NewDisposeScope();
        var values = randn(257, generator: new Generator(6)).mul(3).add(1);
        var quantized = Pact.QuantizeActivations(values, tensor(new[] { 2.75f }), 3).data<float>().ToArray();
        var levels = SwitchablePrecision.Quantization.Families.PactFamily.Create(3, 2.75f);
        var x = values.data<float>().ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal(levels.Value(levels.Level(x[i])), quantized[i]);
    }
}
