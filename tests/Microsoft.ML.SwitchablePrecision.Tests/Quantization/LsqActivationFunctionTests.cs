using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

// The fused LSQ activation quantizer against the same rule composed from tensor operations: values and the gradients
// of the activations and of the step equal bit for bit, so training results do not depend on which one ran.
public class LsqActivationFunctionTests
{
    [Theory]
    [InlineData(1, 0.5f, 7)]
    [InlineData(2, 0.3f, 64)]
    [InlineData(2, 1.7f, 1003)]
    [InlineData(4, 0.05f, 1003)]
    [InlineData(8, 0.01f, 4099)]
    public void ValuesAndGradientsEqualTheComposedRule(int bits, float step, int length)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(bits * 7919 + length));
        int steps = (1 << bits) - 1;
        double scale = Lsq.GradientScale(length, bits, signed: false);
        // Values on both sides of [0, n s], the edges themselves, signed zeros and the rounding midpoints (k + 1/2) s.
        var edges = tensor(new[] { -0f, 0f, steps * step, MathF.BitIncrement(steps * step), -1e-7f, 0.5f * step, 1.5f * step, (steps - 0.5f) * step });
        var values = cat([randn(length, generator: generator).mul(steps * step * 0.6).add(steps * step * 0.4), edges]);
        var upstream = randn(values.shape[0], generator: generator);

        var fused = LearnedScaleGradients.Of(values, step, upstream, (x, s) => Lsq.Quantize(x, s, bits, signed: false, scale));
        var reference = LearnedScaleGradients.Of(values, step, upstream, (x, s) => Lsq.QuantizeReference(x, s, bits, signed: false, scale));

        Assert.Equal(reference.Values, fused.Values);
        Assert.Equal(reference.InputGradient, fused.InputGradient);
        Assert.Equal(reference.ScaleGradient, fused.ScaleGradient);
        Assert.NotEqual(0, fused.ScaleGradient[0] & int.MaxValue);
    }

    [Fact]
    public void ANonContiguousInputIsQuantizedInItsLogicalOrderAndTheGradientKeepsItsShape()
    {
        using var scope = NewDisposeScope();
        var values = randn([4, 6], generator: new Generator(3)).mul(2).t();
        Assert.False(values.is_contiguous());
        var upstream = randn([6, 4], generator: new Generator(4));

        var fused = LearnedScaleGradients.Of(values, 0.4f, upstream, (x, s) => Lsq.Quantize(x, s, 2, signed: false, 0.25));
        var reference = LearnedScaleGradients.Of(values, 0.4f, upstream, (x, s) => Lsq.QuantizeReference(x, s, 2, signed: false, 0.25));

        Assert.Equal(reference.Values, fused.Values);
        Assert.Equal(reference.InputGradient, fused.InputGradient);
        Assert.Equal(reference.ScaleGradient, fused.ScaleGradient);
    }

    [Fact]
    public void TheFusedValuesAreThePlanQuantizersLevelValues()
    {
        // Training and inference share the level rule: the fused forward's value is level * step of the plan's quantizer.
        using var scope = NewDisposeScope();
        var values = randn(257, generator: new Generator(6)).mul(1.5).add(0.5);
        var quantized = Lsq.Quantize(values, tensor(new[] { 0.3f }), 3, signed: false, 0.1).data<float>().ToArray();
        var levels = SwitchablePrecision.Quantization.Families.LsqFamily.Create(3, 0.3f);
        var x = values.data<float>().ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal(levels.Value(levels.Level(x[i])), quantized[i]);
    }
}
