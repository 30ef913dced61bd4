using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>
/// Recomputes every switch's BatchNorm running statistics from training images with the final weights. During
/// training the running averages trail weights that keep changing (and, in an SP-Net, a switch's statistics are
/// updated only on its own passes); re-estimating them after training, as slimmable networks do, removes that lag.
/// Only the running means and variances change; learned parameters do not.
/// </summary>
public static class BatchNormReestimation
{
    /// <summary>
    /// Replaces the running statistics of every switch with the exact average over the first
    /// <paramref name="batches"/> batches of <paramref name="data"/> (no augmentation). The network's active switch and
    /// train/eval mode are restored afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">The data does not fit the network, or batches or batch size is below 1.</exception>
    public static void Run(SwitchableNetwork network, ImageDataset data, int batches = 50, int batchSize = 128)
    {
        Check(network, data, batches, batchSize);
        Reestimate(network, data, batches, batchSize);
    }

    /// <summary>
    /// Replaces the running statistics of every switch with the exact average over <paramref name="batches"/> batches
    /// of images drawn at random, without replacement, from the whole of <paramref name="data"/> (all of it when it
    /// holds fewer images), the same images for the same <paramref name="seed"/>. Unlike the file-order overload this
    /// is right for data sorted by class, as image-folder loaders produce it: there the first batches hold only the
    /// first classes, and statistics estimated on them misnormalise every other class.
    /// </summary>
    /// <exception cref="ArgumentException">The data does not fit the network, or batches or batch size is below 1.</exception>
    public static void Run(SwitchableNetwork network, ImageDataset data, int batches, int batchSize, int seed)
    {
        Check(network, data, batches, batchSize);
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed).Shuffle(order);
        int count = (int)Math.Min((long)batches * batchSize, data.Count);
        Reestimate(network, data.Select(order.AsSpan(0, count).ToArray()), batches, batchSize);
    }

    private static void Check(SwitchableNetwork network, ImageDataset data, int batches, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        DataChecks.RequireFits(network, data, "BatchNorm re-estimation", nameof(data));
        if (batches < 1) throw new ArgumentException($"Batches is {batches}; expected at least 1.", nameof(batches));
        if (batchSize < 1) throw new ArgumentException($"Batch size is {batchSize}; expected at least 1.", nameof(batchSize));
    }

    private static void Reestimate(SwitchableNetwork network, ImageDataset data, int batches, int batchSize)
    {
        var norms = network.modules().OfType<SwitchableBatchNorm2d>().ToList();
        using var restore = new NetworkStateScope(network);
        network.train();
        using var noGrad = torch.no_grad();
        for (int s = 0; s < network.Switches.Count; s++)
        {
            network.Context.ActiveIndex = s;
            var active = norms.Select(n => n.ForSwitch(s)).ToList();
            var momenta = active.Select(n => n.momentum).ToList();
            foreach (var norm in active) norm.reset_running_stats();
            for (int b = 0, start = 0; b < batches && start < data.Count; b++, start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                // Momentum 1/(b+1) turns the exponential update into the equal-weight average of the batches so far.
                foreach (var norm in active) norm.momentum = 1.0 / (b + 1);
                network.forward(DatasetTensors.Images(data, start, Math.Min(batchSize, data.Count - start)));
            }
            for (int i = 0; i < active.Count; i++) active[i].momentum = momenta[i];
        }
    }
}
