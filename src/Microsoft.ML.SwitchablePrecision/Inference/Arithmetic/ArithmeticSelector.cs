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
    /// The bit-serial kernel serves a layer only up to this many weight-plane x activation-plane pairs. Measured on
    /// whole ResNet-20 plans (docs/kernels.md), int8 won at every switch, W1A1 included (3.9x against 3.2x of the
    /// TorchSharp time at batch 1, 2.0x against 1.3x at batch 8): the bit-plane im2col costs more than the popcounts
    /// save on these small layers. So by default no layer runs bit-serially; tests force it to keep that path exact.
    /// </summary>
    public const int DefaultMaxBitSerialPlanes = 0;

    /// <summary>The arithmetic for a layer whose quantizer gives <paramref name="input"/>.</summary>
    public static ConvolutionArithmetic Select(ConvolutionShape shape, WeightLevels weights, ActivationForm input,
        int maxBitSerialPlanes = DefaultMaxBitSerialPlanes)
    {
        if (input.IsLevels && !weights.IsFullPrecision)
        {
            var levels = input.Quantizer!;
            if (BitSerialArithmetic.Serves(weights) && weights.Bits * levels.Bits <= maxBitSerialPlanes)
                return new BitSerialArithmetic(shape, weights, levels);
            return new Int8Arithmetic(shape, weights, levels);
        }
        if (!input.IsLevels && weights.Bits == 1) return new SignArithmetic(shape, weights, input);
        var floatInput = input.IsLevels ? ActivationForm.Dequantized(input.Quantizer!) : input;
        return new FloatArithmetic(shape, weights, floatInput);
    }
}
