using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Picks the arithmetic of each layer from its weights, its input form and its shape: the first candidate that
/// serves them, in the order of the kernel table in docs/kernels.md; float32 serves everything.
/// </summary>
internal static class ArithmeticSelector
{
    /// <summary>The arithmetic for a layer whose quantizer gives <paramref name="input"/>.</summary>
    public static ConvolutionArithmetic Select(ConvolutionShape shape, WeightLevels weights, ActivationForm input)
    {
        var floatInput = input.IsLevels ? ActivationForm.Dequantized(input.Quantizer!) : input;
        return new FloatArithmetic(shape, weights, floatInput);
    }
}
