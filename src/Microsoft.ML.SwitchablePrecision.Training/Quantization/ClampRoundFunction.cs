using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// DoReFa's activation quantizer <c>round(n clamp(x, 0, 1)) / n</c> with its straight-through gradient (1 where
/// <c>0 &lt;= x &lt;= 1</c>, 0 elsewhere) as one autograd node: one pass over the activations forward and one over the
/// gradient backward. The same rule composed from tensor operations (<see cref="DoReFa.QuantizeActivationsReference"/>)
/// takes six passes and three temporary tensors forward, which made the activation quantizers about a third of a
/// training step. Equal to it bit for bit, values and gradients (tested).
/// </summary>
internal sealed class ClampRoundFunction : autograd.SingleTensorFunction<ClampRoundFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(ClampRoundFunction);

    /// <summary>The quantized activations; <paramref name="vars"/> is the input tensor and the largest level <c>n</c>.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        HandedTensors.Release();
        var input = (Tensor)vars[0];
        var rule = new DoReFaFamily.ActivationLevels((int)vars[1]);
        using var source = input.contiguous();
        var output = HandedTensors.Hold(empty_like(source));
        Quantize(TensorSpans.Floats(source), TensorSpans.Floats(output), rule);
        ctx.save_for_backward([input]);
        return output;
    }

    /// <summary>The incoming gradient where the input was inside [0, 1], zero elsewhere.</summary>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        HandedTensors.Release();
        HandedTensors.Hold(gradOutput);
        using var input = ctx.get_saved_variables()[0];
        using var source = input.contiguous();
        using var gradient = gradOutput.contiguous();
        var result = HandedTensors.Hold(empty_like(gradient));
        PassInsideUnitRange(TensorSpans.Floats(source), TensorSpans.Floats(gradient), TensorSpans.Floats(result));
        // One gradient per argument of apply: the level count n has none. (An exception here would end the process:
        // TorchSharp calls backward from native code.)
        return [result, null!];
    }

    private static void Quantize(ReadOnlySpan<float> input, Span<float> output, DoReFaFamily.ActivationLevels rule)
    {
        int i = 0;
        var steps = Vector256.Create(rule.Steps);
        for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            (rule.Level(Vector256.Create(input.Slice(i, Vector256<float>.Count))) / steps).CopyTo(output.Slice(i));
        for (; i < input.Length; i++) output[i] = rule.Value(rule.Level(input[i]));
    }

    private static void PassInsideUnitRange(ReadOnlySpan<float> input, ReadOnlySpan<float> gradient, Span<float> output)
    {
        int i = 0;
        for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var x = Vector256.Create(input.Slice(i, Vector256<float>.Count));
            var inside = Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero) & Vector256.LessThanOrEqual(x, Vector256<float>.One);
            (Vector256.Create(gradient.Slice(i, Vector256<float>.Count)) & inside).CopyTo(output.Slice(i));
        }
        for (; i < input.Length; i++) output[i] = input[i] >= 0f && input[i] <= 1f ? gradient[i] : 0f;
    }
}
