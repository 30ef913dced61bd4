using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class BatchSamplerTests
{
    // Three 1x3x3 images whose pixels are 1..9 plus 100 * label, so every value says where it came from.
    private static readonly ImageDataset Images = new(
        Enumerable.Range(0, 3).SelectMany(i => Enumerable.Range(1, 9).Select(v => v + 100f * i)).ToArray(),
        [0, 1, 2], 1, 3, 3, 3);

    [Fact]
    public void WithoutAugmentationBatchesAreAPermutationOfTheImages()
    {
        var sampler = new BatchSampler(Images, 2, 0, false, seed: 1);
        sampler.Shuffle();
        Assert.Equal(2, sampler.BatchesPerEpoch);
        var (first, firstLabels) = sampler.Batch(0);
        var (second, secondLabels) = sampler.Batch(1);
        Assert.Equal(new[] { 0L, 1, 2 }, firstLabels.Concat(secondLabels).Order());
        var all = first.Concat(second).ToArray();
        for (int i = 0; i < 3; i++)
            Assert.Equal(Images.Pixels.AsSpan((int)firstLabels.Concat(secondLabels).ElementAt(i) * 9, 9).ToArray(), all[(i * 9)..(i * 9 + 9)]);
    }

    [Fact]
    public void CropsAreZeroPaddedShiftsAndFlipsAreMirrors()
    {
        float[] original = Images.Pixels[..9];
        var allowed = new List<float[]>();
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
                foreach (bool mirror in new[] { false, true })
                    allowed.Add(Shift(original, dy, dx, mirror));
        Assert.Contains(new float[] { 0, 0, 0, 0, 1, 2, 0, 4, 5 }, allowed); // shifted one down and one right

        var seen = new HashSet<string>();
        var sampler = new BatchSampler(Images.Take(1), 1, 1, true, seed: 2);
        for (int draw = 0; draw < 200; draw++)
        {
            var (pixels, _) = sampler.Batch(0);
            Assert.Contains(allowed, a => a.SequenceEqual(pixels));
            seen.Add(string.Join(",", pixels));
        }
        Assert.Equal(18, seen.Count);
    }

    [Fact]
    public void TheSeedFixesOrderAndAugmentation()
    {
        static float[] Epoch(int seed)
        {
            var sampler = new BatchSampler(Images, 3, 1, true, seed);
            sampler.Shuffle();
            return sampler.Batch(0).Pixels;
        }
        Assert.Equal(Epoch(4), Epoch(4));
        Assert.NotEqual(Epoch(4), Epoch(5));
    }

    private static float[] Shift(float[] image, int dy, int dx, bool mirror)
    {
        var result = new float[9];
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
            {
                int sy = y + dy, sx = (mirror ? 2 - x : x) + dx;
                if (sy is >= 0 and < 3 && sx is >= 0 and < 3) result[y * 3 + x] = image[sy * 3 + sx];
            }
        return result;
    }
}
