namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// An evaluation-mode BatchNorm as per-channel <c>y = Multiplier x + Bias</c>:
/// <c>Multiplier = gamma / sqrt(var + eps)</c>, <c>Bias = beta - mean * Multiplier</c> (computed in double).
/// </summary>
internal sealed record FoldedNorm(float[] Multiplier, float[] Bias)
{
    /// <summary>The epsilon of every BatchNorm the architectures build (TorchSharp's default).</summary>
    public const double DefaultEpsilon = 1e-5;

    /// <summary>The identity on <paramref name="channels"/> channels.</summary>
    public static FoldedNorm Identity(int channels) => new(Enumerable.Repeat(1f, channels).ToArray(), new float[channels]);

    /// <summary>Folds a BatchNorm's running statistics and affine parameters (all of one length).</summary>
    public static FoldedNorm Fold(float[] mean, float[] variance, float[] gamma, float[] beta, double eps)
    {
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
}
