using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Straight-through estimators shared by the quantizers. Each returns a tensor whose value is exactly the
/// quantized value and whose gradient is that of a surrogate expression: <c>(s - s.detach()) + q</c> adds an exact
/// zero to <c>q</c>, so no rounding error leaks into the forward value (unlike <c>s + (q - s).detach()</c>).
/// </summary>
internal static class StraightThrough
{
    /// <summary>Value of <paramref name="value"/> (computed without gradient), gradient of <paramref name="surrogate"/>.</summary>
    public static Tensor Attach(Tensor value, Tensor surrogate)
    {
        using var constant = surrogate.detach();
        var zero = surrogate.sub(constant);
        return zero.add_(value, TorchScalars.One);
    }

    /// <summary><c>round(x)</c> forward, gradient 1 backward.</summary>
    public static Tensor Round(Tensor x)
    {
        Tensor rounded;
        using (no_grad()) rounded = x.round();
        using (rounded) return Attach(rounded, x);
    }

    /// <summary>
    /// <c>round(x * levels) / levels</c> forward, gradient 1 backward: uniform quantization of <paramref name="x"/>
    /// (expected in [0, 1]) to <c>levels + 1</c> values.
    /// </summary>
    public static Tensor RoundToGrid(Tensor x, int levels)
    {
        Tensor rounded;
        using var grid = levels.ToScalar();
        using (no_grad()) rounded = x.mul(grid).round_().div_(grid);
        using (rounded) return Attach(rounded, x);
    }

    /// <summary><c>sign(x)</c> with sign(0) = +1 forward, gradient 1 backward.</summary>
    public static Tensor Sign(Tensor x)
    {
        Tensor sign;
        using (no_grad())
        {
            using var positive = x.ge(TorchScalars.Zero);
            sign = positive.to_type(x.dtype).mul_(TorchScalars.Two).sub_(TorchScalars.One);
        }
        using (sign) return Attach(sign, x);
    }
}
