using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference;
using Microsoft.ML.SwitchablePrecision.Tests.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>Networks of both switch families and every quantizer, calibrated so each switch has real BatchNorm statistics.</summary>
internal static class PlanNetworks
{
    /// <summary>Binary weights with 1 to 32 activation bits (BNN to BinaryConnect).</summary>
    public static readonly Precision[] BinaryFamily = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];

    /// <summary>Equal weight and activation bits.</summary>
    public static readonly Precision[] UniformFamily = [new(2, 2), new(4, 4), new(8, 8), Precision.FullPrecision];

    public static Precision[] Family(string family) => family == "binary" ? BinaryFamily : UniformFamily;

    private static readonly Dictionary<(ArchitectureKind, string, QuantizerKind, bool), SwitchableNetwork> Cache = [];

    /// <summary>The width multiplier each architecture's plan tests use: small, so the tests stay fast.</summary>
    public static double TestWidth(ArchitectureKind architecture) => architecture switch
    {
        ArchitectureKind.ResNet18 => 0.125,
        ArchitectureKind.MobileNetV2 => 0.25,
        _ => 1.0,
    };

    /// <summary>
    /// A width-1 ResNet-20 (or another architecture, below) of <paramref name="family"/>'s switches, trained-mode forwards at every switch on real
    /// images (BatchNorm statistics, LSQ step initialisation), then evaluation mode. Shared by the tests of this folder,
    /// which only read it. Call it outside any dispose scope: the scope would dispose the cached network's tensors.
    /// </summary>
    public static SwitchableNetwork Calibrated(string family, QuantizerKind quantizer, bool clip = false) =>
        Calibrated(ArchitectureKind.ResNet20, family, quantizer, clip);

    /// <summary>As <see cref="Calibrated(string, QuantizerKind, bool)"/> for <paramref name="architecture"/> at its <see cref="TestWidth"/>.</summary>
    public static SwitchableNetwork Calibrated(ArchitectureKind architecture, string family, QuantizerKind quantizer, bool clip = false)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue((architecture, family, quantizer, clip), out var cached)) return cached;
            var options = new NetworkOptions
            {
                Architecture = architecture, WidthMultiplier = TestWidth(architecture), Switches = Family(family), Quantizer = quantizer,
                InputMean = [72.94f], InputStd = [90.02f], Classes = 10, ClipFullPrecisionActivations = clip,
            };
            var network = NetworkFactory.Create(options, seed: 21);
            network.train();
            using (no_grad())
            using (NewDisposeScope())
            {
                var images = PackedNetworks.RealImages(0, 32);
                foreach (var precision in options.Switches)
                {
                    network.ActivePrecision = precision;
                    for (int i = 0; i < 3; i++) network.forward(images);
                }
            }
            network.eval();
            Cache[(architecture, family, quantizer, clip)] = network;
            return network;
        }
    }

    /// <summary>The TorchSharp forward at <paramref name="precision"/> (evaluation mode, no gradients, simulated path).</summary>
    public static float[] TorchLogits(SwitchableNetwork network, Precision precision, Tensor images)
    {
        lock (network)
        {
            network.ActivePrecision = precision;
            return PackedNetworks.Logits(network, images, packed: false);
        }
    }

    /// <summary>The plan's logits of <paramref name="images"/>.</summary>
    public static float[] PlanLogits(InferencePlan plan, Tensor images, int threads = 1)
    {
        var pixels = images.contiguous().data<float>().ToArray();
        int batch = pixels.Length / plan.InputLength;
        var logits = new float[batch * plan.Classes];
        plan.Predict(pixels, batch, logits, threads);
        return logits;
    }
}
