using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Learned Step Size Quantization (Esser et al. 2020): <c>x_q = round(clamp(x / s, -Q_N, Q_P)) * s</c> with a learned
/// step <c>s</c> whose gradient is scaled by <c>g = 1 / sqrt(features * Q_P)</c>. Exact rules in docs/method.md.
/// </summary>
public static class Lsq
{
    /// <summary>Smallest step a data-driven initialisation produces (guards all-zero inputs).</summary>
    public const float MinimumInitialStep = 1e-5f;

    /// <summary>
    /// The most negative integer level Q_N: <c>2^(k-1)</c> for signed k &gt;= 2 bits, 1 for signed 1 bit
    /// (levels {-s, +s}), 0 for unsigned.
    /// </summary>
    public static int NegativeLevels(int bits, bool signed) => LsqLevels.Negative(bits, signed);

    /// <summary>
    /// The most positive integer level Q_P: <c>2^(k-1) - 1</c> for signed k &gt;= 2 bits, 1 for signed 1 bit,
    /// <c>2^k - 1</c> for unsigned.
    /// </summary>
    public static int PositiveLevels(int bits, bool signed) => LsqLevels.Positive(bits, signed);

    /// <summary>The gradient scale <c>g = 1 / sqrt(features * Q_P)</c>.</summary>
    /// <param name="features">Weights of the layer, or activation values of one image.</param>
    /// <param name="bits">1 to 8.</param>
    /// <param name="signed">True for weights, false for (non-negative) activations.</param>
    public static double GradientScale(long features, int bits, bool signed)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "The feature count must be positive.");
        return 1.0 / Math.Sqrt((double)features * PositiveLevels(bits, signed));
    }

    /// <summary>
    /// The initial step from data: <c>2 * mean|x| / sqrt(Q_P)</c> for k &gt;= 2 bits or unsigned values,
    /// <c>mean|x|</c> for signed 1 bit (the scale that minimises the squared error of sign(x) * s);
    /// never below <see cref="MinimumInitialStep"/>.
    /// </summary>
    public static float InitialStep(Tensor values, int bits, bool signed)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var _ = no_grad();
        using var absolute = values.abs();
        using var mean = absolute.mean();
        double meanAbs = mean.item<float>();
        double step = signed && bits == 1 ? meanAbs : 2 * meanAbs / Math.Sqrt(PositiveLevels(bits, signed));
        return (float)Math.Max(step, MinimumInitialStep);
    }

    /// <summary>
    /// Quantizes <paramref name="values"/> with step <paramref name="step"/>. Forward: <c>round(clamp(x / s, -Q_N, Q_P)) * s</c>
    /// (signed 1 bit: <c>sign(clamp(x / s, -1, 1)) * s</c>, sign(0) = +1). Backward: round and sign are straight-through,
    /// so <c>dL/dx = dL/dx_q</c> inside the clamp range and 0 outside; <c>dL/ds = g * sum(dL/dx_q * v)</c> with
    /// <c>v = q - x/s</c> inside the range and <c>v = -Q_N</c> or <c>Q_P</c> (the clamped level) outside.
    /// At 32 bits the values are returned unchanged (as an alias).
    /// </summary>
    /// <param name="values">Weights or activations.</param>
    /// <param name="step">The step <c>s</c>: a single-element tensor (usually a learned parameter).</param>
    /// <param name="bits">1 to 8, or 32.</param>
    /// <param name="signed">True for weights (levels on both sides of 0), false for non-negative activations.</param>
    /// <param name="gradientScale">The scale <c>g</c> applied to the step's gradient (see <see cref="GradientScale"/>).</param>
    public static Tensor Quantize(Tensor values, Tensor step, int bits, bool signed, double gradientScale)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(step);
        UniformLevels.Check(bits, nameof(bits));
        if (step.numel() != 1)
            throw new ArgumentException($"LSQ step must hold one value, but has shape [{string.Join(", ", step.shape)}].", nameof(step));
        if (UniformLevels.IsFullPrecision(bits)) return values.alias();
        return !signed && values.device_type == TorchSharp.DeviceType.CPU && values.dtype == ScalarType.Float32 && step.dtype == ScalarType.Float32
            ? HandedTensors.AfterApply(LsqActivationFunction.apply(values, step, bits, gradientScale))
            : QuantizeReference(values, step, bits, signed, gradientScale);
    }

    /// <summary>
    /// <see cref="Quantize"/> composed from tensor operations: the definition the fused <see cref="LsqActivationFunction"/>
    /// (unsigned activations) is tested against, and the path for weights and for tensors it does not serve.
    /// </summary>
    internal static Tensor QuantizeReference(Tensor values, Tensor step, int bits, bool signed, double gradientScale)
    {
        using var scaledStep = ScaleGradient(step.reshape([]), gradientScale);
        using var ratio = values.div(scaledStep);
        using var lowest = (-NegativeLevels(bits, signed)).ToScalar();
        using var highest = PositiveLevels(bits, signed).ToScalar();
        using var clamped = ratio.clamp(lowest, highest);
        using var levels = signed && bits == 1 ? StraightThrough.Sign(clamped) : StraightThrough.Round(clamped);
        return levels.mul(scaledStep);
    }

    // The value of s exactly, the gradient of s * g.
    private static Tensor ScaleGradient(Tensor step, double gradientScale)
    {
        using (step)
        {
            using var scale = gradientScale.ToScalar();
            using var scaled = step.mul(scale);
            using var value = step.detach();
            return StraightThrough.Attach(value, scaled);
        }
    }
}
