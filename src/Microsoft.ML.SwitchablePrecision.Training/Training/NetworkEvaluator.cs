using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>
/// Batched inference with a <see cref="SwitchableNetwork"/>: evaluation mode (BatchNorm uses its running
/// statistics), no gradients, and the network's active switch and train/eval mode restored afterwards.
/// </summary>
public static class NetworkEvaluator
{
    /// <summary>Images per forward pass of <see cref="PredictProbabilities"/>.</summary>
    public const int PredictionBatchSize = 256;

    /// <summary>
    /// Class probabilities (softmax of the logits) of <paramref name="count"/> images at the network's active switch,
    /// as <c>count * Classes</c> values, image after image.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="pixels">Raw pixel values of the images in (N, C, H, W) order, matching the network's input shape.</param>
    /// <param name="count">Number of images.</param>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold <paramref name="count"/> images of the network's input shape.</exception>
    public static float[] PredictProbabilities(SwitchableNetwork network, ReadOnlySpan<float> pixels, int count)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var o = network.Options;
        int imageSize = o.InputChannels * o.Height * o.Width;
        if (pixels.Length != (long)count * imageSize)
            throw new ArgumentException(
                $"The pixel buffer holds {pixels.Length} values; {count} images of {o.InputChannels}x{o.Height}x{o.Width} need {(long)count * imageSize}.",
                nameof(pixels));
        var probabilities = new float[(long)count * o.Classes];
        using var restore = new NetworkStateScope(network);
        if (network.training) network.eval();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < count; start += PredictionBatchSize)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(PredictionBatchSize, count - start);
            var images = torch.tensor(pixels.Slice(start * imageSize, n * imageSize).ToArray(), [n, o.InputChannels, o.Height, o.Width]);
            var batch = softmax(network.forward(images), 1);
            batch.data<float>().CopyTo(probabilities.AsSpan(start * o.Classes, n * o.Classes));
        }
        return probabilities;
    }

    /// <summary>Mean hard-label cross-entropy and accuracy of every switch on <paramref name="data"/>, in the network's switch order.</summary>
    /// <exception cref="ArgumentException">The data does not fit the network, or the batch size is below 1.</exception>
    public static IReadOnlyList<SwitchMetrics> Evaluate(SwitchableNetwork network, ImageDataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        DataChecks.RequireFits(network, data, "evaluation", nameof(data));
        if (batchSize < 1) throw new ArgumentException($"Batch size is {batchSize}; expected at least 1.", nameof(batchSize));
        var metrics = new RunningMetrics(network.Switches);
        using var restore = new NetworkStateScope(network);
        if (network.training) network.eval();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batchSize, data.Count - start);
            var images = DatasetTensors.Images(data, start, n);
            var labels = torch.tensor(data.Labels.AsSpan(start, n).ToArray().Select(l => (long)l).ToArray());
            for (int s = 0; s < network.Switches.Count; s++)
            {
                network.Context.ActiveIndex = s;
                var logits = network.forward(images);
                double loss = cross_entropy(logits, labels).item<float>();
                long correct = logits.argmax(1).eq(labels).sum().item<long>();
                metrics.Add(s, loss, correct, n);
            }
        }
        return metrics.Snapshot();
    }
}
