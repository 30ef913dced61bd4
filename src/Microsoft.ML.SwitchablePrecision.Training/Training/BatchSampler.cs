using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>
/// Cuts a dataset into shuffled batches and augments them while copying: a random crop of the image zero-padded by
/// <c>padding</c> pixels per side, and optionally a horizontal flip. All randomness comes from one seeded
/// <see cref="Random"/>, so a seed fixes every batch.
/// </summary>
internal sealed class BatchSampler
{
    private readonly ImageDataset _data;
    private readonly int _batchSize;
    private readonly int _padding;
    private readonly bool _flip;
    private readonly Random _random;
    private readonly int[] _order;

    public BatchSampler(ImageDataset data, int batchSize, int padding, bool flip, int seed)
    {
        _data = data;
        _batchSize = Math.Min(batchSize, data.Count);
        _padding = padding;
        _flip = flip;
        _random = new Random(seed);
        _order = Enumerable.Range(0, data.Count).ToArray();
    }

    /// <summary>Batches per epoch (the last one may be smaller).</summary>
    public int BatchesPerEpoch => (_data.Count + _batchSize - 1) / _batchSize;

    /// <summary>Draws a new order of the images for the next epoch.</summary>
    public void Shuffle() => _random.Shuffle(_order);

    /// <summary>Fills a new batch <paramref name="batch"/> (0-based) of the current epoch: pixels (N, C, H, W) and labels.</summary>
    public (float[] Pixels, long[] Labels) Batch(int batch)
    {
        int start = batch * _batchSize;
        int count = Math.Min(_batchSize, _data.Count - start);
        int imageSize = _data.ImageSize;
        var pixels = new float[count * imageSize];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int source = _order[start + i];
            labels[i] = _data.Labels[source];
            var (dy, dx, mirror) = DrawAugmentation();
            CopyShifted(_data.Pixels.AsSpan(source * imageSize, imageSize), pixels.AsSpan(i * imageSize, imageSize), dy, dx, mirror);
        }
        return (pixels, labels);
    }

    /// <summary>
    /// Draws the order and augmentation of one whole epoch without copying images, leaving the generator exactly where
    /// <see cref="Shuffle"/> and every <see cref="Batch"/> of the epoch would: a resumed run replays its finished epochs this way.
    /// </summary>
    public void SkipEpoch()
    {
        Shuffle();
        for (int i = 0; i < _data.Count; i++) DrawAugmentation();
    }

    /// <summary>
    /// After <see cref="Shuffle"/>, draws the augmentation of the first <paramref name="batches"/> batches of the epoch
    /// without copying images, as <see cref="SkipEpoch"/> does for a whole epoch: a run resumed within an epoch replays
    /// its finished steps this way.
    /// </summary>
    public void SkipBatches(int batches)
    {
        int images = Math.Min(_data.Count, batches * _batchSize);
        for (int i = 0; i < images; i++) DrawAugmentation();
    }

    private (int Dy, int Dx, bool Mirror) DrawAugmentation()
    {
        int dy = _padding > 0 ? _random.Next(-_padding, _padding + 1) : 0;
        int dx = _padding > 0 ? _random.Next(-_padding, _padding + 1) : 0;
        bool mirror = _flip && _random.Next(2) == 1;
        return (dy, dx, mirror);
    }

    // Output pixel (y, x) takes input pixel (y + dy, x' + dx), x' mirrored when asked; outside the image it is 0.
    private void CopyShifted(ReadOnlySpan<float> source, Span<float> target, int dy, int dx, bool mirror)
    {
        int height = _data.Height, width = _data.Width;
        if (dy == 0 && dx == 0 && !mirror)
        {
            source.CopyTo(target);
            return;
        }
        target.Clear();
        for (int c = 0; c < _data.Channels; c++)
        {
            int plane = c * height * width;
            for (int y = 0; y < height; y++)
            {
                int sy = y + dy;
                if ((uint)sy >= (uint)height) continue;
                for (int x = 0; x < width; x++)
                {
                    int sx = (mirror ? width - 1 - x : x) + dx;
                    if ((uint)sx < (uint)width) target[plane + y * width + x] = source[plane + sy * width + sx];
                }
            }
        }
    }
}
