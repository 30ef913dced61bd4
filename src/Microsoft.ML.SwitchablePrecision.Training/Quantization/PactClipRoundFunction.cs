using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// PACT's activation quantizer <c>round(clip(x, 0, alpha) / (alpha' / n)) * (alpha' / n)</c> with its straight-through
/// gradients (<c>dL/dx</c> where <c>0 &lt;= x &lt; alpha</c>, <c>dL/dalpha</c> the sum where <c>x &gt;= alpha</c>) as
/// one autograd node: one pass over the activations forward, one over the gradient backward (plus the sum for alpha).
/// The same rule composed from tensor operations (<see cref="Pact.QuantizeActivationsReference"/>) takes about eight
/// passes and five temporary tensors forward. Equal to it bit for bit, values and both gradients (tested).
/// </summary>
internal sealed class PactClipRoundFunction : autograd.SingleTensorFunction<PactClipRoundFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(PactClipRoundFunction);

    /// <summary>The quantized activations; <paramref name="vars"/> is the input tensor, alpha (one value) and the bit width.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        HandedTensors.Release();
        var (input, alpha) = ((Tensor)vars[0], (Tensor)vars[1]);
        var rule = PactFamily.ActivationLevelRule((int)vars[2], alpha.item<float>());
        using var source = input.contiguous();
        var output = HandedTensors.Hold(empty_like(source));
        Quantize(TensorSpans.Floats(source), TensorSpans.Floats(output), rule);
        ctx.save_for_backward([input, alpha]);
        return output;
    }

    /// <summary>The incoming gradient where <c>0 &lt;= x &lt; alpha</c> for x, its sum where <c>x &gt;= alpha</c> for alpha.</summary>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        HandedTensors.Release();
        HandedTensors.Hold(gradOutput);
        var saved = ctx.get_saved_variables();
        using var input = saved[0];
        using var alpha = saved[1];
        using var source = input.contiguous();
        using var gradient = gradOutput.contiguous();
        var result = HandedTensors.Hold(empty_like(gradient));
        using var clipped = empty_like(gradient);
        Split(TensorSpans.Floats(source), TensorSpans.Floats(gradient), alpha.item<float>(), TensorSpans.Floats(result), TensorSpans.Floats(clipped));
        // The composed rule's where() gives alpha the masked gradient summed by torch: the same sum of the same tensor.
        using var sum = clipped.sum();
        // One gradient per argument of apply: the bit width has none. (An exception here would end the process:
        // TorchSharp calls backward from native code.)
        return [result, HandedTensors.Hold(sum.reshape(alpha.shape)), null!];
    }

    private static void Quantize(ReadOnlySpan<float> input, Span<float> output, PactFamily.ActivationLevels rule)
    {
        // "+ 0" turns a -0 (from x = -0) into the +0 that the composed rule's straight-through add gives.
        int i = 0;
        var step = Vector256.Create(rule.Step);
        for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            (rule.Level(Vector256.Create(input.Slice(i, Vector256<float>.Count))) * step + Vector256<float>.Zero).CopyTo(output.Slice(i));
        for (; i < input.Length; i++) output[i] = rule.Value(MathF.Min(rule.Level(input[i]), rule.Steps)) + 0f;
    }

    private static void Split(ReadOnlySpan<float> input, ReadOnlySpan<float> gradient, float alpha, Span<float> toInput, Span<float> toAlpha)
    {
        int i = 0;
        var a = Vector256.Create(alpha);
        for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var x = Vector256.Create(input.Slice(i, Vector256<float>.Count));
            var g = Vector256.Create(gradient.Slice(i, Vector256<float>.Count));
            var above = Vector256.GreaterThanOrEqual(x, a);
            (g & Vector256.AndNot(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), above)).CopyTo(toInput.Slice(i));
            (g & above).CopyTo(toAlpha.Slice(i));
        }
        for (; i < input.Length; i++)
        {
            bool above = input[i] >= alpha;
            toInput[i] = !above && input[i] >= 0f ? gradient[i] : 0f;
            toAlpha[i] = above ? gradient[i] : 0f;
        }
    }
}
