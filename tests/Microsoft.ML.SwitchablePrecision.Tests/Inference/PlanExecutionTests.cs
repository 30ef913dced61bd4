using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Persistence;
using static Microsoft.ML.SwitchablePrecision.Tests.Inference.PlanNetworks;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

public class PlanExecutionTests
{
    [Theory]
    [InlineData(16, 3, 1, 1, 1)]
    [InlineData(16, 3, 2, 1, 4)]
    [InlineData(3, 3, 1, 1, 2)]
    [InlineData(70, 3, 2, 1, 3)]
    [InlineData(64, 3, 1, 0, 8)]
    [InlineData(32, 1, 2, 0, 2)]
    [InlineData(33, 5, 1, 2, 2)] // interior columns whose taps spill across words at odd bit offsets
    [InlineData(5, 3, 1, 0, 8)]
    [InlineData(40, 2, 2, 0, 1)]
    public void BitPlaneIm2ColEqualsPackingEachByteColumn(int channels, int kernel, int stride, int padding, int bits)
    {
        var shape = new ConvolutionShape(channels, 7, 9, 5, kernel, stride, padding);
        var random = new Random(channels * 31 + bits);
        var image = new byte[shape.InputPerImage];
        for (int i = 0; i < image.Length; i++) image[i] = (byte)random.Next(1 << bits);
        int planeWords = (shape.Depth + 63) / 64, words = bits * planeWords;

        var masks = new ulong[shape.Height * shape.Width * bits * BitPlaneIm2Col.MaskWords(channels)];
        var pixelSums = new int[shape.Height * shape.Width];
        var columns = Enumerable.Repeat(ulong.MaxValue, shape.OutPixels * words).ToArray(); // must be overwritten
        var sums = new int[shape.OutPixels];
        BitPlaneIm2Col.PackPixels(image, channels, bits, masks, pixelSums);
        BitPlaneIm2Col.Columns(shape, bits, masks, pixelSums, planeWords, columns, sums);

        var bytes = new byte[shape.Depth];
        var expected = new ulong[words];
        for (int p = 0; p < shape.OutPixels; p++)
        {
            shape.Im2Col<byte>(image, p, 1, bytes, shape.Depth, 0);
            int sum = BitPlaneColumns.PackColumn(bytes, bits, expected);
            Assert.Equal(sum, sums[p]);
            Assert.Equal(expected, columns.AsSpan(p * words, words).ToArray());
        }
    }

    [Fact]
    public void Im2ColPutsEachTapAtItsReductionIndexAndZeroPadding()
    {
        var shape = new ConvolutionShape(2, 3, 3, 1, 3, 1, 1);
        var image = Enumerable.Range(1, 18).Select(v => (float)v).ToArray(); // pixel (h, w), channel c = 1 + 6h + 2w + c
        var column = new float[shape.Depth];
        shape.Im2Col<float>(image, 0, 1, column, shape.Depth, -1f); // output pixel (0, 0): taps above and left are padding
        Assert.Equal([-1, -1, -1, -1, -1, -1, -1, -1, 1, 2, 3, 4, -1, -1, 7, 8, 9, 10], column);
        shape.Im2Col<float>(image, 4, 1, column, shape.Depth, -1f); // centre pixel: the whole image
        Assert.Equal(image, column);
    }

    [Theory]
    [InlineData("binary", 1, 2)]
    [InlineData("uniform", 1, 3)]
    public void SplittingTheBatchOverThreadsGivesTheSingleThreadedLogits(string family, int switchIndex, int threads)
    {
        var network = Calibrated(family, QuantizerKind.DoReFa);
        using var scope = NewDisposeScope();
        var plan = network.Plans.Get(Family(family)[switchIndex]);
        var images = RealImages(300, 37);
        var single = PlanLogits(plan, images, threads: 1);
        for (int round = 0; round < 3; round++)
            Assert.Equal(single, PlanLogits(plan, images, threads));
    }

    [Fact]
    public void ConcurrentCallersOfOnePlanGetTheirSequentialResults()
    {
        var network = Calibrated("binary", QuantizerKind.DoReFa);
        using var scope = NewDisposeScope();
        var plans = BinaryFamily.Select(network.Plans.Get).ToArray();
        var batches = Enumerable.Range(0, 8).Select(i => RealImages(i * 5, 1 + i % 3).data<float>().ToArray()).ToArray();
        float[] Run(int i)
        {
            var plan = plans[i % plans.Length];
            var logits = new float[batches[i].Length / plan.InputLength * plan.Classes];
            plan.Predict(batches[i], logits.Length / plan.Classes, logits, threads: 1);
            return logits;
        }
        var sequential = Enumerable.Range(0, batches.Length).Select(Run).ToArray();
        for (int round = 0; round < 20; round++)
        {
            var concurrent = new float[batches.Length][];
            Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => concurrent[i] = Run(i));
            for (int i = 0; i < batches.Length; i++) Assert.Equal(sequential[i], concurrent[i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void SteadyStatePredictionsAllocateNothingOnTheCallingThread(int batch)
    {
        var plans = WarmPlans(batch, threads: 1, out var images, out var logits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            foreach (var plan in plans) plan.Predict(images, batch, logits, 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // With worker threads, the thread pool itself now and then allocates on the caller (a new segment of its queue
    // when the machine is busy: 24 to 2,392 bytes seen over 40 calls under load), so the bound is far below one
    // workspace (hundreds of KB at batch 16) rather than zero: a buffer allocated per call would exceed it at once.
    [Fact]
    public void SteadyStateParallelPredictionsAllocateNoBuffersOnTheCallingThread()
    {
        const int batch = 16, calls = 10;
        var plans = WarmPlans(batch, threads: 2, out var images, out var logits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
            foreach (var plan in plans) plan.Predict(images, batch, logits, 2);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024L * calls * plans.Length,
            $"{GC.GetAllocatedBytesForCurrentThread() - before} bytes allocated over {calls * plans.Length} calls");
    }

    private InferencePlan[] WarmPlans(int batch, int threads, out float[] images, out float[] logits)
    {
        var network = Calibrated("binary", QuantizerKind.DoReFa);
        var plans = BinaryFamily.Select(network.Plans.Get).ToArray();
        images = new float[batch * 784];
        for (int i = 0; i < images.Length; i++) images[i] = i * 7 % 256;
        logits = new float[batch * 10];
        for (int i = 0; i < 5; i++)
            foreach (var plan in plans) plan.Predict(images, batch, logits, threads);
        return plans;
    }

    [Fact]
    public void PlansAreRebuiltAfterTrainingAndAfterLoadingWeights()
    {
        var options = PlanNetworks.Calibrated("binary", QuantizerKind.DoReFa).Options;
        using var network = NetworkFactory.Create(options, seed: 3);
        network.eval();
        var precision = new Precision(1, 2);
        var images = RealImages(0, 4);
        var first = network.Plans.Get(precision);
        Assert.Same(first, network.Plans.Get(precision));

        network.train();
        using (no_grad())
        {
            network.ActivePrecision = precision;
            network.forward(images).Dispose(); // new BatchNorm statistics for this switch
        }
        network.eval();
        var retrained = network.Plans.Get(precision);
        Assert.NotSame(first, retrained);
        Assert.Equal(TorchLogits(network, precision, images), PlanLogits(retrained, images), new Tolerant(1e-4f));
        Assert.NotEqual(PlanLogits(first, images), PlanLogits(retrained, images));

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            NetworkState.Write(PlanNetworks.Calibrated("binary", QuantizerKind.DoReFa), writer);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) NetworkState.Read(network, reader);
        var loaded = network.Plans.Get(precision);
        Assert.NotSame(retrained, loaded);
        Assert.Equal(TorchLogits(network, precision, images), PlanLogits(loaded, images), new Tolerant(1e-4f));
    }

    private sealed class Tolerant(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(y));

        public int GetHashCode(float value) => 0;
    }
}
