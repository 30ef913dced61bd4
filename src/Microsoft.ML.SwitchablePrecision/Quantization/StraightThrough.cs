using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// Straight-through rounding helpers shared by the quantizers: the forward pass returns the rounded value, the
/// backward pass treats the rounding as the identity.
/// </summary>
internal static class StraightThrough
{
    /// <summary><c>round(x)</c> forward, gradient 1 backward (<c>x + (round(x) - x).detach()</c>).</summary>
    public static Tensor Round(Tensor x)
    {
        Tensor residual;
        using (no_grad()) residual = x.round().sub_(x);
        using (residual) return x.add(residual);
    }

    /// <summary>
    /// <c>round(x * levels) / levels</c> forward, gradient 1 backward: uniform quantization of <paramref name="x"/>
    /// (expected in [0, 1]) to <c>levels + 1</c> values.
    /// </summary>
    public static Tensor RoundToGrid(Tensor x, int levels)
    {
        Tensor residual;
        using (no_grad()) residual = x.mul(levels).round_().div_(levels).sub_(x);
        using (residual) return x.add(residual);
    }

    /// <summary><c>sign(x)</c> with sign(0) = +1 forward, gradient 1 backward.</summary>
    public static Tensor Sign(Tensor x)
    {
        Tensor residual;
        using (no_grad())
        {
            using var positive = x.ge(0);
            using var sign = positive.to_type(x.dtype).mul_(2).sub_(1);
            residual = sign.sub(x);
        }
        using (residual) return x.add(residual);
    }
}
