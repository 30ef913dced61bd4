namespace Microsoft.ML.SwitchablePrecision.Inference;

/// <summary>
/// When ML.NET scoring runs a compiled plan instead of the TorchSharp forward. Read off the InferenceBenchmark
/// (docs/kernels.md, 1 thread, processor time on a shared 2-core Xeon): every switch's plan beat TorchSharp float32 at
/// batch 1 (2.0-3.9x); at batch 8 W1A32 and W8A8 lost (0.77x, 0.78x) and the others gained 1.07-1.42x (W1A2 0.96x);
/// at batch 64 only W1A1 and the int8 switches gained (1.06-1.24x).
/// </summary>
internal static class ScoringPolicy
{
    /// <summary>Largest batch that runs on a plan at any switch.</summary>
    public const int MaxPlanBatch = 8;

    /// <summary>True when a plan is expected to be faster than TorchSharp for <paramref name="batch"/> images at <paramref name="precision"/>.</summary>
    public static bool PrefersPlan(Precision precision, int batch)
    {
        if (batch <= 1) return true;
        if (batch > MaxPlanBatch) return false;
        return precision is not { WeightBits: 1, ActivationBits: Precision.FullPrecisionBits } && precision.ActivationBits != 8;
    }

    /// <summary>Replaces each row of <paramref name="logits"/> (<paramref name="classes"/> values) by its softmax.</summary>
    public static void Softmax(Span<float> logits, int classes)
    {
        for (int start = 0; start < logits.Length; start += classes)
        {
            var row = logits.Slice(start, classes);
            float max = float.NegativeInfinity;
            foreach (float x in row) max = MathF.Max(max, x);
            float sum = 0;
            for (int i = 0; i < row.Length; i++) sum += row[i] = MathF.Exp(row[i] - max);
            for (int i = 0; i < row.Length; i++) row[i] /= sum;
        }
    }
}
