namespace Microsoft.ML.SwitchablePrecision.Inference;

/// <summary>
/// When ML.NET scoring runs a compiled plan instead of the TorchSharp forward: where the InferenceBenchmark measured the
/// plan faster (the figures are in docs/kernels.md). ResNets: every switch at batch 1, most switches up to batch 8, few
/// beyond (measured on ResNet-20). MobileNetV2: every switch at batches 1, 8 and 64 (TorchSharp's depthwise layers and
/// small 1x1 layers leave it far below its ResNet speed).
/// </summary>
internal static class ScoringPolicy
{
    /// <summary>True when a plan is expected to be faster than TorchSharp for <paramref name="batch"/> images of <paramref name="architecture"/> at <paramref name="precision"/>.</summary>
    public static bool PrefersPlan(ArchitectureKind architecture, Precision precision, int batch) =>
        architecture == ArchitectureKind.MobileNetV2 || PrefersPlan(precision, batch);

    /// <summary>Largest batch that runs on a plan at any switch.</summary>
    public const int MaxPlanBatch = 8;

    /// <summary>True when a ResNet plan is expected to be faster than TorchSharp for <paramref name="batch"/> images at <paramref name="precision"/>.</summary>
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
