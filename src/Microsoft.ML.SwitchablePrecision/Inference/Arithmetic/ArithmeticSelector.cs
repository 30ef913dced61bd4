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
    /// By default the bit-serial kernel serves a layer with up to this many weight-plane x activation-plane pairs
    /// (W1A1, W1A2) and at least <see cref="MinBitSerialInChannels"/> input channels; int8 serves the other quantized
    /// layers. Measured per layer on ResNet-20 plans (docs/kernels.md, "Where a plan's time goes"): with 32 and 64 input
    /// channels the popcount GEMM is about twice as fast as int8 at W1A1 and somewhat faster at W1A2; with 16 channels
    /// (K = 144, a third of each plane's last word unused) the bit-plane im2col costs more than the popcounts save.
    /// </summary>
    public const int DefaultMaxBitSerialPlanes = 2;

    /// <summary>The fewest input channels for which the default policy picks the bit-serial kernel.</summary>
    public const int MinBitSerialInChannels = 32;

    /// <summary>The arithmetic for a layer whose quantizer gives <paramref name="input"/>.</summary>
    public static ConvolutionArithmetic Select(ConvolutionShape shape, WeightLevels weights, ActivationForm input,
        int maxBitSerialPlanes = DefaultMaxBitSerialPlanes)
    {
        if (input.IsLevels && !weights.IsFullPrecision)
        {
            var levels = input.Quantizer!;
            // A limit above the default forces the bit-serial kernel on every layer it serves (tests keep that path exact).
            bool wideEnough = maxBitSerialPlanes > DefaultMaxBitSerialPlanes || shape.InChannels >= MinBitSerialInChannels;
            if (BitSerialArithmetic.Serves(weights) && weights.Bits * levels.Bits <= maxBitSerialPlanes && wideEnough)
                return new BitSerialArithmetic(shape, weights, levels);
            return new Int8Arithmetic(shape, weights, levels);
        }
        if (!input.IsLevels && weights.Bits == 1) return new SignArithmetic(shape, weights, input);
        var floatInput = input.IsLevels ? ActivationForm.Dequantized(input.Quantizer!) : input;
        return new FloatArithmetic(shape, weights, floatInput);
    }
}
