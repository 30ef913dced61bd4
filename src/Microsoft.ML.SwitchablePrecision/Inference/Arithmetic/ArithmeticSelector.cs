using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// Picks the arithmetic of each layer from its weights, its input form and its shape: the first candidate that
/// serves them, in the order of the kernel table in docs/kernels.md; float32 serves everything.
/// </summary>
internal static class ArithmeticSelector
{
    /// <summary>
    /// Bit-serial cost grows with weight bits times activation bits, int8's does not: the bit-serial kernel serves a
    /// layer only up to this many plane pairs (docs/kernels.md, kernel table).
    /// </summary>
    public const int MaxBitSerialPlanes = 4;

    /// <summary>The arithmetic for a layer whose quantizer gives <paramref name="input"/>.</summary>
    public static ConvolutionArithmetic Select(ConvolutionShape shape, WeightLevels weights, ActivationForm input)
    {
        if (input.IsLevels && !weights.IsFullPrecision)
        {
            var levels = input.Quantizer!;
            if (BitSerialArithmetic.Serves(weights) && weights.Bits * levels.Bits <= MaxBitSerialPlanes)
                return new BitSerialArithmetic(shape, weights, levels);
            return new Int8Arithmetic(shape, weights, levels);
        }
        if (!input.IsLevels && weights.Bits == 1) return new SignArithmetic(shape, weights, input);
        var floatInput = input.IsLevels ? ActivationForm.Dequantized(input.Quantizer!) : input;
        return new FloatArithmetic(shape, weights, floatInput);
    }
}
