using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// LSQ's unsigned activation quantizer <c>round(clamp(x / s, 0, n)) * s</c> with its gradients as one autograd node:
/// <c>dL/dx = (G s) / s</c> inside the clamp range, 0 outside; <c>dL/ds = g (sum(G q) + sum(-(G s)_in ((x / s) / s)))</c>,
/// written as the composed rule's autograd evaluates it (the mul's and the div's backward, each summed by torch, their
/// sum, then the gradient scale <c>g</c>), so every value and gradient equals <see cref="Lsq.QuantizeReference"/>'s bit
/// for bit (tested). The composed rule takes about seven passes and five temporary tensors forward.
/// </summary>
internal sealed class LsqActivationFunction : autograd.SingleTensorFunction<LsqActivationFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(LsqActivationFunction);

    /// <summary>The quantized activations; <paramref name="vars"/> is the input tensor, the step (one value), the bit width and g.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        HandedTensors.Release();
        var (input, step) = ((Tensor)vars[0], (Tensor)vars[1]);
        var rule = LsqFamily.ActivationLevelRule((int)vars[2], step.item<float>());
        using var source = input.contiguous();
        var output = HandedTensors.Hold(empty_like(source));
        Quantize(TensorSpans.Floats(source), TensorSpans.Floats(output), rule);
        ctx.save_for_backward([input, step]);
        ctx.save_data("bits", (int)vars[2]);
        ctx.save_data("scale", (double)vars[3]);
        return output;
    }

    /// <summary>The gradients of the activations and of the step.</summary>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        HandedTensors.Release();
        HandedTensors.Hold(gradOutput);
        var saved = ctx.get_saved_variables();
        using var input = saved[0];
        using var step = saved[1];
        var rule = LsqFamily.ActivationLevelRule((int)ctx.get_data("bits"), step.item<float>());
        using var source = input.contiguous();
        using var gradient = gradOutput.contiguous();
        var result = HandedTensors.Hold(empty_like(gradient));
        using var fromProduct = empty_like(gradient);
        using var fromQuotient = empty_like(gradient);
        Gradients(TensorSpans.Floats(source), TensorSpans.Floats(gradient), rule, TensorSpans.Floats(result), TensorSpans.Floats(fromProduct), TensorSpans.Floats(fromQuotient));
        using var productSum = fromProduct.sum();
        using var quotientSum = fromQuotient.sum();
        using var stepGradient = productSum.add(quotientSum, TorchScalars.One);
        using var scale = ((double)ctx.get_data("scale")).ToScalar();
        using var scaled = stepGradient.mul(scale);
        // One gradient per argument of apply: the bit width and the scale have none. (An exception here would end the
        // process: TorchSharp calls backward from native code.)
        return [result, HandedTensors.Hold(scaled.reshape(step.shape)), null!, null!];
    }

    private static void Quantize(ReadOnlySpan<float> input, Span<float> output, LsqFamily.ActivationLevels rule)
    {
        // "+ 0" turns a -0 (from x = -0) into the +0 that the composed rule's straight-through add gives.
        int i = 0;
        var step = Vector256.Create(rule.Step);
        for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            ((rule.Level(Vector256.Create(input.Slice(i, Vector256<float>.Count))) + Vector256<float>.Zero) * step).CopyTo(output.Slice(i));
        for (; i < input.Length; i++) output[i] = rule.Value(rule.Level(input[i]) + 0f);
    }

    // toInput = (G s) / s inside [0, n] of x / s; fromProduct = G q (the mul's backward for s);
    // fromQuotient = -(G s)_inside ((x / s) / s) (the div's backward for s).
    private static void Gradients(ReadOnlySpan<float> input, ReadOnlySpan<float> gradient, LsqFamily.ActivationLevels rule,
        Span<float> toInput, Span<float> fromProduct, Span<float> fromQuotient)
    {
        int i = 0;
        float s = rule.Step, n = rule.Steps;
        var (sv, nv) = (Vector256.Create(s), Vector256.Create(n));
        for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var x = Vector256.Create(input.Slice(i, Vector256<float>.Count));
            var g = Vector256.Create(gradient.Slice(i, Vector256<float>.Count));
            var ratio = x / sv;
            var inside = Vector256.GreaterThanOrEqual(ratio, Vector256<float>.Zero) & Vector256.LessThanOrEqual(ratio, nv);
            var level = Vector256.Round(Vector256.Min(Vector256.Max(ratio, Vector256<float>.Zero), nv)) + Vector256<float>.Zero;
            var masked = (g * sv) & inside;
            (masked / sv).CopyTo(toInput.Slice(i));
            (g * level).CopyTo(fromProduct.Slice(i));
            (-masked * (ratio / sv)).CopyTo(fromQuotient.Slice(i));
        }
        for (; i < input.Length; i++)
        {
            float ratio = input[i] / s;
            bool inside = ratio >= 0f && ratio <= n;
            float level = MathF.Round(Math.Clamp(ratio, 0f, n), MidpointRounding.ToEven) + 0f;
            float masked = inside ? gradient[i] * s : 0f;
            toInput[i] = masked / s;
            fromProduct[i] = gradient[i] * level;
            fromQuotient[i] = -masked * (ratio / s);
        }
    }
}
