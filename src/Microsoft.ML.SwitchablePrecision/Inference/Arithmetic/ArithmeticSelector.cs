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
    /// layer only up to this many plane pairs: measured on whole ResNet-20 plans, int8 won at W1A4 (3.0x against 2.0x
    /// of the TorchSharp time) and W2A2 (3.4x against 2.1x), docs/kernels.md.
    /// </summary>
    public const int MaxBitSerialPlanes = 2;

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
