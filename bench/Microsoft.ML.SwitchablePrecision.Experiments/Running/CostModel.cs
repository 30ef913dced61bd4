using Microsoft.ML.SwitchablePrecision.Experiments.Cells;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// Estimated wall time of a cell from the <c>measure</c> command's single-thread CPU time (ResNet-20 at width 1,
/// batch 128: 2,672 ms per step of the four-switch SP-Net, 668 ms per switch pass); more threads are assumed to give
/// a 1.7x speed-up, which holds only on an idle machine. A step of a network with k switches costs about k passes;
/// evaluation costs one forward pass per switch over the test images.
/// </summary>
internal static class CostModel
{
    /// <summary>Milliseconds of one forward-backward pass of one switch over a batch of 128 on one thread.</summary>
    public const double TrainPassMilliseconds = 668;

    /// <summary>Assumed speed-up of more than one thread on an idle machine.</summary>
    public const double MultiThreadSpeedUp = 1.7;

    /// <summary>Milliseconds of one switch's forward pass over 1,000 test images (73 s for 4 switches x 10,000 on a loaded machine).</summary>
    public const double EvaluationMillisecondsPer1000 = 1800;

    /// <summary>Estimated seconds of <paramref name="spec"/> on <paramref name="trainImages"/>/<paramref name="testImages"/> images with <paramref name="threads"/> torch threads.</summary>
    public static double Seconds(CellSpec spec, int trainImages, int testImages, int threads)
    {
        double widthFactor = spec.Width * spec.Width;
        double steps = spec.Epochs * Math.Ceiling(trainImages / (double)Recipe.BatchSize);
        double batchFactor = Math.Min(trainImages, Recipe.BatchSize) / (double)Recipe.BatchSize;
        double train = steps * spec.Switches.Count * TrainPassMilliseconds * batchFactor * widthFactor;
        double evaluate = spec.Switches.Count * EvaluationMillisecondsPer1000 * testImages / 1000.0 * widthFactor;
        return (train + evaluate) / 1000 / (threads > 1 ? MultiThreadSpeedUp : 1);
    }
}
