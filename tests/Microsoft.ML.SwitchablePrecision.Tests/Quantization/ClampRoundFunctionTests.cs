using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

// The fused DoReFa activation quantizer against the same rule composed from tensor operations: values and
// gradients equal bit for bit, so training results do not depend on which one ran.
public class ClampRoundFunctionTests
{
    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 64)]
    [InlineData(4, 1003)]
    [InlineData(8, 4099)]
    public void ValuesAndGradientsEqualTheComposedRule(int bits, int length)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(bits * 7919 + length));
        // Values on both sides of [0, 1], the edges themselves and the rounding midpoints (k + 1/2) / n.
        int steps = (1 << bits) - 1;
        var edges = tensor(new[] { -0f, 0f, 1f, -1e-7f, 1 + 1e-7f, 0.5f / steps, 1.5f / steps, 1 - 0.5f / steps });
        var values = cat([randn(length, generator: generator).mul(0.8).add(0.4), edges]);
        var upstream = randn(values.shape[0], generator: generator);

        var (fused, fusedGradient) = ValueAndGradient(values, upstream, x => DoReFa.QuantizeActivations(x, bits));
        var (reference, referenceGradient) = ValueAndGradient(values, upstream, x => DoReFa.QuantizeActivationsReference(x, bits));

        Assert.Equal(reference, fused);
        Assert.Equal(referenceGradient, fusedGradient);
        Assert.Equal(steps + 1, fused.Distinct().Count());
    }

    [Fact]
    public void ANonContiguousInputIsQuantizedInItsLogicalOrder()
    {
        using var scope = NewDisposeScope();
        var values = randn([4, 6], generator: new Generator(3)).t();
        Assert.False(values.is_contiguous());

        var fused = DoReFa.QuantizeActivations(values, 2);

        Assert.Equal(DoReFa.QuantizeActivationsReference(values, 2).data<float>().ToArray(), fused.data<float>().ToArray());
        Assert.Equal(values.shape, fused.shape);
    }

    [Fact]
    public void NaNStaysNaNAndInfinitiesClampToTheEnds()
    {
        using var scope = NewDisposeScope();
        var quantized = DoReFa.QuantizeActivations(tensor(new[] { float.NaN, float.NegativeInfinity, float.PositiveInfinity }), 4)
            .data<float>().ToArray();

        Assert.True(float.IsNaN(quantized[0]));
        Assert.Equal([0f, 1f], quantized[1..]);
    }

    [Fact]
    public void WithoutGradientTrackingNothingIsSavedAndTheResultHasNoGradientFunction()
    {
        using var scope = NewDisposeScope();
        var values = randn(32, generator: new Generator(5)).requires_grad_(true);
        Tensor quantized;
        using (no_grad()) quantized = DoReFa.QuantizeActivations(values, 2);

        Assert.False(quantized.requires_grad);
        Assert.Equal(DoReFa.QuantizeActivationsReference(values.detach(), 2).data<float>().ToArray(), quantized.data<float>().ToArray());
    }

    private static (float[] Values, float[] Gradient) ValueAndGradient(Tensor values, Tensor upstream, Func<Tensor, Tensor> quantize)
    {
        var input = values.clone().requires_grad_(true);
        var output = quantize(input);
        output.backward([upstream]);
        return (output.detach().data<float>().ToArray(), input.grad!.data<float>().ToArray());
    }
}
