using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// An evaluation-mode BatchNorm as per-channel <c>y = Multiplier x + Bias</c>:
/// <c>Multiplier = gamma / sqrt(var + eps)</c>, <c>Bias = beta - mean * Multiplier</c> (computed in double).
/// </summary>
internal sealed record FoldedNorm(float[] Multiplier, float[] Bias)
{
    /// <summary>The identity on <paramref name="channels"/> channels.</summary>
    public static FoldedNorm Identity(int channels) => new(Enumerable.Repeat(1f, channels).ToArray(), new float[channels]);

    /// <summary>Folds <paramref name="norm"/>'s running statistics and affine parameters.</summary>
    public static FoldedNorm From(BatchNorm2d norm)
    {
        using var _ = no_grad();
        var mean = Floats(norm.running_mean!);
        var variance = Floats(norm.running_var!);
        var gamma = norm.weight is null ? Enumerable.Repeat(1f, mean.Length).ToArray() : Floats(norm.weight);
        var beta = norm.bias is null ? new float[mean.Length] : Floats(norm.bias);
        double eps = norm.eps;
        var multiplier = new float[mean.Length];
        var bias = new float[mean.Length];
        for (int c = 0; c < mean.Length; c++)
        {
            double m = gamma[c] / Math.Sqrt(variance[c] + eps);
            multiplier[c] = (float)m;
            bias[c] = (float)(beta[c] - mean[c] * m);
        }
        return new FoldedNorm(multiplier, bias);
    }

    /// <summary>This fold after a per-channel pre-scale <paramref name="scale"/>: <c>Multiplier * scale</c>, same bias.</summary>
    public FoldedNorm AfterScale(float scale) => new(Multiplier.Select(m => m * scale).ToArray(), Bias);

    /// <summary>A float copy of a CPU tensor's values.</summary>
    public static float[] Floats(Tensor tensor)
    {
        using var detached = tensor.detach();
        using var contiguous = detached.contiguous();
        return contiguous.data<float>().ToArray();
    }
}
