using Microsoft.ML.SwitchablePrecision.Experiments.Cells;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// Estimated wall time of a cell from per-pass costs measured with the <c>measure</c> command (ResNet-20 at width 1,
/// batch 128, 2 threads on the shared 2-core development machine). A training step of a network with k switches
/// costs about k forward-backward passes; evaluation costs one forward pass per switch over the test images.
/// </summary>
internal static class CostModel
{
    /// <summary>Milliseconds of one forward-backward pass of one switch over a batch of 128 (measured; see README).</summary>
    public const double TrainPassMilliseconds = 330;

    /// <summary>Milliseconds of one switch's forward pass over 1,000 test images (measured; see README).</summary>
    public const double EvaluationMillisecondsPer1000 = 900;

    /// <summary>Estimated seconds of <paramref name="spec"/> on <paramref name="trainImages"/>/<paramref name="testImages"/> images.</summary>
    public static double Seconds(CellSpec spec, int trainImages, int testImages)
    {
        double widthFactor = spec.Width * spec.Width;
        double steps = spec.Epochs * Math.Ceiling(trainImages / (double)Recipe.BatchSize);
        double batchFactor = Math.Min(trainImages, Recipe.BatchSize) / (double)Recipe.BatchSize;
        double train = steps * spec.Switches.Count * TrainPassMilliseconds * batchFactor * widthFactor;
        double evaluate = spec.Switches.Count * EvaluationMillisecondsPer1000 * testImages / 1000.0 * widthFactor;
        return (train + evaluate) / 1000;
    }
}
