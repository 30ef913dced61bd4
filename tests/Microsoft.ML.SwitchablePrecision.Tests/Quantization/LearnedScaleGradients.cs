using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

/// <summary>A quantizer with one learned value (PACT's alpha, LSQ's step) run forward and backward, for comparing two implementations bit for bit.</summary>
internal static class LearnedScaleGradients
{
    /// <summary>The quantized values, the gradient of the input and that of the learned value, for the upstream gradient given.</summary>
    public static (int[] Values, int[] InputGradient, int[] ScaleGradient) Of(Tensor values, float scale, Tensor upstream, Func<Tensor, Tensor, Tensor> quantize)
    {
        var input = values.detach().clone().requires_grad_(true);
        var learned = tensor(new[] { scale }).requires_grad_(true);
        var output = quantize(input, learned);
        output.backward([upstream]);
        return (Bits(output.detach()), Bits(input.grad!), Bits(learned.grad!));
    }

    private static int[] Bits(Tensor tensor) => tensor.contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
