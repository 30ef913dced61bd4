namespace Microsoft.ML.SwitchablePrecision.Inference;

/// <summary>
/// When ML.NET scoring runs a compiled plan instead of the TorchSharp forward: where the InferenceBenchmark measured the
/// plan faster than TorchSharp's float32 forward (docs/kernels.md, "Batches 8 to 256 on one thread, and the scoring
/// policy re-measured", from docs/results/inference/policy-resnet20-*.txt and selection-resnet20-*.txt).
/// ResNets: every switch with quantized activations at every batch size (1.13-2.61x at batches 8 to 256 on ResNet-20,
/// integer kernels against oneDNN's float convolution); float-activation switches (W32A32, multi-bit weights on float
/// activations, which run the same float32 GEMM, and binary weights on float activations, W1A32, whose sign-panel GEMM
/// runs the same float microkernel at W32A32's speed: docs/kernels.md, "W1A32 on the float microkernel with the weights
/// as bits") up to batch 8 (1.20x at 8, a tie at 0.89-1.09x from 16 on, where TorchSharp stays the reference).
/// ResNet-18 (3x32x32, 64-512 channels) keeps its float-activation switches on TorchSharp from batch 2 on: its float32
/// GEMM loses to oneDNN on those wide layers (W1A32 0.83x and W32A32 0.69x at batch 8, 0.64x and 0.61x at 64 on the
/// quiet machine, docs/results/inference/quiet5-resnet18-1.txt); its quantized-activation switches run on plans
/// (1.42-3.47x). MobileNetV2: every switch at every batch size (1.31-2.90x at batches 1, 8 and 64: TorchSharp's
/// depthwise and small 1x1 layers leave it far below its ResNet speed). A single image always runs on the plan.
/// </summary>
internal static class ScoringPolicy
{
    /// <summary>Largest batch that runs on a ResNet plan at a float-activation switch.</summary>
    public const int MaxFloatActivationPlanBatch = 8;

    /// <summary>True when a plan is expected to be faster than TorchSharp for <paramref name="batch"/> images of <paramref name="architecture"/> at <paramref name="precision"/>.</summary>
    public static bool PrefersPlan(ArchitectureKind architecture, Precision precision, int batch) => architecture switch
    {
        ArchitectureKind.MobileNetV2 => true,
        ArchitectureKind.ResNet18 when precision.ActivationBits == Precision.FullPrecisionBits => batch <= 1,
        _ => PrefersPlan(precision, batch),
    };

    /// <summary>True when a ResNet-20 plan is expected to be faster than TorchSharp for <paramref name="batch"/> images at <paramref name="precision"/>.</summary>
    public static bool PrefersPlan(Precision precision, int batch)
    {
        if (batch <= 1 || precision.ActivationBits != Precision.FullPrecisionBits) return true;
        return batch <= MaxFloatActivationPlanBatch;
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
