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
    /// By default the bit kernels serve a layer with up to this many weight-plane x activation-plane pairs
    /// (W1A1, W1A2), and only on the layer shapes where it measured faster than int8
    /// (<see cref="ChannelMaskArithmetic{TMask}.MeasuredFasterThanInt8(ConvolutionShape, int, Kernels.KernelVariant)"/> for the channel-mask kernels, else
    /// <see cref="BitSerialArithmetic.MeasuredFasterThanInt8"/>); int8 serves the other quantized layers. A larger
    /// limit forces the bit-serial kernel on every layer it serves up to that many pairs, 0 never picks either.
    /// </summary>
    public const int DefaultMaxBitSerialPlanes = 2;

    /// <summary>The arithmetic for a layer whose quantizer gives <paramref name="input"/>.</summary>
    public static ConvolutionArithmetic Select(ConvolutionShape shape, WeightLevels weights, ActivationForm input,
        int maxBitSerialPlanes = DefaultMaxBitSerialPlanes)
    {
        if (input.IsLevels && !weights.IsFullPrecision)
        {
            var levels = input.Quantizer!;
            int planes = weights.Bits * levels.Bits;
            // A limit above the default forces the bit-serial kernel on every layer it serves (tests keep that path exact).
            bool forced = maxBitSerialPlanes > DefaultMaxBitSerialPlanes;
            // Bit operations on channel masks of 16, 32 and 64 bits where they measured faster (3x3 layers at W1A1 and W1A2).
            if (!forced && planes <= maxBitSerialPlanes)
            {
                if (ChannelMaskArithmetic<ushort>.Serves(shape, weights) && ChannelMaskArithmetic<ushort>.MeasuredFasterThanInt8(shape, planes))
                    return new ChannelMaskArithmetic<ushort>(shape, weights, levels);
                if (ChannelMaskArithmetic<uint>.Serves(shape, weights) && ChannelMaskArithmetic<uint>.MeasuredFasterThanInt8(shape, planes))
                    return new ChannelMaskArithmetic<uint>(shape, weights, levels);
                if (ChannelMaskArithmetic<ulong>.Serves(shape, weights) && ChannelMaskArithmetic<ulong>.MeasuredFasterThanInt8(shape, planes))
                    return new ChannelMaskArithmetic<ulong>(shape, weights, levels);
            }
            bool faster = forced || BitSerialArithmetic.MeasuredFasterThanInt8(shape, planes);
            if (BitSerialArithmetic.Serves(weights) && planes <= maxBitSerialPlanes && faster)
                return new BitSerialArithmetic(shape, weights, levels);
            if (Int16Arithmetic.PreferredOverInt8(shape, weights, levels)) return new Int16Arithmetic(shape, weights, levels);
            return new Int8Arithmetic(shape, weights, levels);
        }
        if (!input.IsLevels && weights.Bits == 1) return new SignArithmetic(shape, weights, input);
        var floatInput = input.IsLevels ? ActivationForm.Dequantized(input.Quantizer!) : input;
        return new FloatArithmetic(shape, weights, floatInput);
    }
}
