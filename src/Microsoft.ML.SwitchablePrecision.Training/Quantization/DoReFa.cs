using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// DoReFa-Net quantizers (Zhou et al. 2016) as used by Any-Precision networks. Pure functions on tensors; the
/// exact forward and backward rules are in docs/method.md.
/// </summary>
public static class DoReFa
{
    // Guards the tanh normalisation of an all-zero weight tensor.
    private const float MinimumScale = 1e-12f;

    /// <summary>
    /// Quantizes weights to <paramref name="bits"/> bits. For k &gt;= 2 bits:
    /// <c>w_q = 2 * round((2^k - 1) * (tanh(w) / (2 max|tanh w|) + 1/2)) / (2^k - 1) - 1</c>, values in [-1, 1];
    /// the gradient flows through tanh with <c>max|tanh w|</c> held constant, so <c>dL/dw = dL/dw_q * (1 - tanh²w) / max|tanh w|</c>.
    /// For 1 bit: <c>w_q = sign(w) * mean|w|</c> with one scale for the whole tensor, sign(0) = +1, and the identity
    /// gradient <c>dL/dw = dL/dw_q</c>. At 32 bits the weights are returned unchanged (as an alias).
    /// </summary>
    /// <param name="weights">Latent full-precision weights of one layer.</param>
    /// <param name="bits">1 to 8, or 32.</param>
    public static Tensor QuantizeWeights(Tensor weights, int bits)
    {
        ArgumentNullException.ThrowIfNull(weights);
        UniformLevels.Check(bits, nameof(bits));
        if (UniformLevels.IsFullPrecision(bits)) return weights.alias();
        if (bits == 1) return Binarize(weights);

        using var t = weights.tanh();
        Tensor halfInverseMax;
        using (no_grad())
        {
            using var absolute = t.abs();
            using var minimum = MinimumScale.ToScalar();
            halfInverseMax = absolute.max().clamp_min_(minimum).mul_(TorchScalars.Two).reciprocal_();
        }
        using (halfInverseMax)
        {
            using var unit = t.mul(halfInverseMax).add_(TorchScalars.Half, TorchScalars.One);
            using var q = StraightThrough.RoundToGrid(unit, UniformLevels.Steps(bits));
            return q.mul(TorchScalars.Two).sub_(TorchScalars.One);
        }
    }

    /// <summary>
    /// Quantizes activations to <paramref name="bits"/> bits: <c>round((2^k - 1) * clamp(x, 0, 1)) / (2^k - 1)</c>,
    /// so k bits give at most 2^k values in [0, 1] (1 bit gives {0, 1}). The gradient is 1 where 0 &lt;= x &lt;= 1
    /// and 0 elsewhere. At 32 bits the activations are returned unchanged (as an alias).
    /// </summary>
    /// <param name="activations">Layer input, normally the output of a ReLU.</param>
    /// <param name="bits">1 to 8, or 32.</param>
    public static Tensor QuantizeActivations(Tensor activations, int bits)
    {
        ArgumentNullException.ThrowIfNull(activations);
        UniformLevels.Check(bits, nameof(bits));
        if (UniformLevels.IsFullPrecision(bits)) return activations.alias();
        return activations.device_type == TorchSharp.DeviceType.CPU && activations.dtype == ScalarType.Float32
            ? HandedTensors.AfterApply(ClampRoundFunction.apply(activations, UniformLevels.Steps(bits)))
            : QuantizeActivationsReference(activations, bits);
    }

    /// <summary>
    /// <see cref="QuantizeActivations"/> composed from tensor operations: the definition the fused
    /// <see cref="ClampRoundFunction"/> is tested against, and the path for tensors it does not serve.
    /// </summary>
    internal static Tensor QuantizeActivationsReference(Tensor activations, int bits)
    {
        using var clamped = activations.clamp(TorchScalars.Zero, TorchScalars.One);
        return StraightThrough.RoundToGrid(clamped, UniformLevels.Steps(bits));
    }

    private static Tensor Binarize(Tensor weights)
    {
        Tensor binary;
        using (no_grad())
        {
            using var absolute = weights.abs();
            using var scale = absolute.mean();
            using var negativeScale = scale.neg();
            using var positive = weights.ge(TorchScalars.Zero);
            binary = where(positive, scale, negativeScale);
        }
        using (binary) return StraightThrough.Attach(binary, weights);
    }
}
