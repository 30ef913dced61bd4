using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// PACT activation quantizer (Choi et al. 2018): clip to a learned level alpha, then k-bit uniform on [0, alpha].
/// Weights of PACT networks use <see cref="DoReFa.QuantizeWeights"/>.
/// </summary>
public static class Pact
{
    /// <summary>Initial clipping level of every switch and layer (the ReLU6 bound).</summary>
    public const float DefaultInitialAlpha = 6f;

    /// <summary>The floor of alpha in the quantized computation (keeps the grid defined if an optimizer drives alpha to zero or below).</summary>
    internal const float MinimumAlpha = Families.PactFamily.MinimumAlpha;

    /// <summary>
    /// Forward: <c>y = clamp(x, 0, alpha)</c>, <c>x_q = round(y * (2^k - 1) / alpha) * alpha / (2^k - 1)</c>.
    /// Backward (straight-through, no quantization-residual term): <c>dL/dx = dL/dx_q</c> where 0 &lt;= x &lt; alpha,
    /// 0 elsewhere; <c>dL/dalpha = sum of dL/dx_q where x &gt;= alpha</c>. At 32 bits <paramref name="activations"/>
    /// is returned unchanged (as an alias) and alpha gets no gradient.
    /// </summary>
    /// <param name="activations">Layer input, normally the output of a ReLU.</param>
    /// <param name="alpha">The clipping level: a single-element tensor (usually a learned parameter).</param>
    /// <param name="bits">1 to 8, or 32.</param>
    public static Tensor QuantizeActivations(Tensor activations, Tensor alpha, int bits)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(alpha);
        UniformLevels.Check(bits, nameof(bits));
        if (alpha.numel() != 1)
            throw new ArgumentException($"PACT alpha must hold one value, but has shape [{string.Join(", ", alpha.shape)}].", nameof(alpha));
        if (UniformLevels.IsFullPrecision(bits)) return activations.alias();

        return activations.device_type == TorchSharp.DeviceType.CPU && activations.dtype == ScalarType.Float32 && alpha.dtype == ScalarType.Float32
            ? HandedTensors.AfterApply(PactClipRoundFunction.apply(activations, alpha, bits))
            : QuantizeActivationsReference(activations, alpha, bits);
    }

    /// <summary>
    /// <see cref="QuantizeActivations"/> composed from tensor operations: the definition the fused
    /// <see cref="PactClipRoundFunction"/> is tested against, and the path for tensors it does not serve.
    /// </summary>
    internal static Tensor QuantizeActivationsReference(Tensor activations, Tensor alpha, int bits)
    {
        using var scalarAlpha = alpha.reshape([]);
        using var above = activations.ge(scalarAlpha);
        using var rectified = activations.clamp_min(TorchScalars.Zero);
        using var clipped = where(above, scalarAlpha, rectified);
        int steps = UniformLevels.Steps(bits);
        Tensor quantized;
        using (no_grad())
        {
            using var minimum = MinimumAlpha.ToScalar();
            using var safeAlpha = scalarAlpha.clamp_min(minimum);
            using var stepCount = steps.ToScalar();
            using var stepSize = safeAlpha.div(stepCount);
            quantized = clipped.div(stepSize).round_().mul_(stepSize);
        }
        using (quantized) return StraightThrough.Attach(quantized, clipped);
    }
}
