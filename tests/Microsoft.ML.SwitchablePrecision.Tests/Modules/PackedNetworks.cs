using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Modules;

/// <summary>ResNet-20 networks and inputs for comparing the packed and the simulated inference paths.</summary>
internal static class PackedNetworks
{
    public static readonly Precision[] Switches =
        [new(1, 1), new(1, 2), new(1, 4), new(1, 32), Precision.FullPrecision];

    /// <summary>The binary 3x3 convolutions of ResNet-20 (9 blocks of 2); stem, shortcuts and classifier stay float.</summary>
    public const int PackedLayersOfResNet20 = 18;

    public static NetworkOptions Options(double width = 1.0) => new()
    {
        Architecture = ArchitectureKind.ResNet20, Switches = Switches, Quantizer = QuantizerKind.DoReFa,
        WidthMultiplier = width, InputMean = [72.94f], InputStd = [90.02f], Classes = 10,
    };

    /// <summary>A ResNet-20 whose BatchNorm statistics of every switch were set from real images, in evaluation mode.</summary>
    public static SwitchableNetwork Calibrated(int seed, double width = 1.0)
    {
        var network = NetworkFactory.Create(Options(width), seed);
        network.train();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var images = RealImages(0, 32);
            foreach (var precision in Switches)
            {
                network.ActivePrecision = precision;
                for (int i = 0; i < 3; i++) network.forward(images);
            }
        }
        network.eval();
        return network;
    }

    /// <summary><paramref name="count"/> Fashion-MNIST test images (raw pixels 0 to 255) from <paramref name="start"/>.</summary>
    public static Tensor RealImages(int start, int count) => DatasetTensors.Images(SubsetData.Test, start, count);

    /// <summary>Uniform noise over the pixel range.</summary>
    public static Tensor RandomImages(int count, int seed)
    {
        using var generator = new Generator((ulong)seed);
        return rand(count, 1, 28, 28, generator: generator).mul_(255);
    }

    /// <summary>Logits under <c>no_grad</c> with the packed kernels on or off.</summary>
    public static float[] Logits(SwitchableNetwork network, Tensor images, bool packed)
    {
        bool previous = network.UsePackedKernels;
        network.UsePackedKernels = packed;
        try
        {
            using var noGrad = no_grad();
            using var logits = network.forward(images);
            return logits.data<float>().ToArray();
        }
        finally
        {
            network.UsePackedKernels = previous;
        }
    }

    /// <summary>Logits with the packed kernels on; fails unless every binary convolution took the packed path.</summary>
    public static float[] PackedLogits(SwitchableNetwork network, Tensor images)
    {
        long before = network.Context.PackedConvolutions;
        var logits = Logits(network, images, packed: true);
        Assert.Equal(PackedLayersOfResNet20, network.Context.PackedConvolutions - before);
        return logits;
    }

    /// <summary>Largest absolute difference divided by the largest absolute reference logit.</summary>
    public static double RelativeDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-6, expected.Max(Math.Abs));
        return expected.Select((e, i) => Math.Abs(e - actual[i])).Max() / scale;
    }

    public static int[] ArgMax(float[] logits, int classes) =>
        logits.Chunk(classes).Select(row => Array.IndexOf(row, row.Max())).ToArray();
}
