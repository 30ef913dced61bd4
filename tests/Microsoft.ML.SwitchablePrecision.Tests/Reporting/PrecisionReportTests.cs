using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reporting;

// The sample's default network, counted by hand: ResNet-20 at width x0.5 on 1x28x28 images, 10 classes.
//   stem       3x3, 1->8,   28x28 out, full precision:  72 weights,  72*784 = 56,448 MACs
//   stage 1    6 binary 3x3 convs 8->8, 28x28:         6 * 576 = 3,456 weights,  6 * 576*784 = 2,709,504 MACs
//   stage 2    3x3 8->16 and 5 * 3x3 16->16, 14x14:     1,152 + 5 * 2,304 = 12,672 weights, 12,672*196 = 2,483,712 MACs
//              1x1 shortcut 8->16, 14x14, full precision: 128 weights, 128*196 = 25,088 MACs
//   stage 3    3x3 16->32 and 5 * 3x3 32->32, 7x7:      4,608 + 5 * 9,216 = 50,688 weights, 50,688*49 = 2,483,712 MACs
//              1x1 shortcut 16->32, 7x7, full precision: 512 weights, 512*49 = 25,088 MACs
//   classifier 32->10, full precision:                  320 weights, 320 MACs
// Binary layers: 18 convolutions, 66,816 weights, 7,676,928 MACs. Full-precision layers: 1,032 weights,
// 106,944 MACs (stem 56,448 + shortcuts 50,176 + classifier 320).
public class PrecisionReportTests
{
    private static readonly Precision W1A1 = new(1, 1), W1A2 = new(1, 2), W1A4 = new(1, 4), W1A32 = new(1, 32);

    private static PrecisionReport SampleDefaultReport()
    {
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = [W1A1, W1A2, W1A4, W1A32], WidthMultiplier = 0.5 }, seed: 1);
        return PrecisionReport.Create(network);
    }

    [Fact]
    public void TheMacSplitOfResNet20AtHalfWidthMatchesTheHandCount()
    {
        var report = SampleDefaultReport();

        var split = report.Switches.Select(s => (s.Precision, s.BinaryMacs, s.LowBitMacs, s.FullPrecisionMacs)).ToArray();
        Assert.Equal(
        [
            (W1A1, 7_676_928L, 0L, 106_944L),
            (W1A2, 0L, 7_676_928L, 106_944L),
            (W1A4, 0L, 7_676_928L, 106_944L),
            (W1A32, 0L, 0L, 7_783_872L),
        ], split);
        var fullPrecision = report.Layers.Where(l => !l.QuantizedWeights).ToDictionary(l => l.Name, l => l.MacsPerImage);
        Assert.Equal(56_448, fullPrecision["stem"]);
        Assert.Equal(50_176, fullPrecision.Where(l => l.Key.EndsWith(".shortcut", StringComparison.Ordinal)).Sum(l => l.Value));
        Assert.Equal(320, fullPrecision["classifier"]);
        Assert.Equal(4, fullPrecision.Count);
    }

    [Fact]
    public void PackedBytesCountTightBitsPlusOneScalePerQuantizedLayerAgainstFloat32()
    {
        var report = SampleDefaultReport();

        // Float32: (66,816 + 1,032) weights * 4 bytes. Packed at one weight bit: 66,816 bits = 8,352 bytes, 18 scales
        // = 72 bytes, and the full-precision layers stay float32: 1,032 * 4 = 4,128 bytes.
        Assert.All(report.Switches, s => Assert.Equal(271_392, s.Float32WeightBytes));
        Assert.All(report.Switches, s => Assert.Equal(8_352 + 72 + 4_128, s.PackedWeightBytes));
        Assert.All(report.Switches, s => Assert.Equal(new Dictionary<int, long> { [1] = 66_816, [32] = 1_032 }, s.WeightsByBits));
        Assert.Equal(271_392 / 12_552.0, report.Switches[0].CompressionRatio, 12);
    }

    [Fact]
    public void TheKernelsWordPaddedRowsTakeMoreThanTheReportsTightCount()
    {
        // The bit-serial kernels store each output channel's Cin*9 sign bits in whole 64-bit words: 72 bits take 2
        // words, 144 take 3, 288 take 5. Per layer: Cout * words * 8 bytes + one float scale.
        //   stage 1: 6 * (8*2*8 + 4) = 792; stage 2: (16*2*8 + 4) + 5 * (16*3*8 + 4) = 2,200;
        //   stage 3: (32*3*8 + 4) + 5 * (32*5*8 + 4) = 7,192; together 10,184 bytes against the report's 8,424.
        (int Out, int In)[] binaryConvolutions =
        [
            .. Enumerable.Repeat((8, 8), 6),
            (16, 8), .. Enumerable.Repeat((16, 16), 5),
            (32, 16), .. Enumerable.Repeat((32, 32), 5),
        ];
        long padded = binaryConvolutions.Sum(c => PackedBinaryWeights.FromConvolution(new float[c.Out * c.In * 9], c.Out, c.In, 3, 3).PackedByteCount);
        Assert.Equal(10_184, padded);

        // With the float32 full-precision layers that is 14,312 bytes (14.0 KB, 19.0x smaller than float32), where the
        // report says 12,552 (12.3 KB, 21.6x).
        var w1a1 = SampleDefaultReport().Switches[0];
        Assert.Equal(14_312, padded + w1a1.WeightsByBits[32] * 4);
        Assert.Equal(12_552, w1a1.PackedWeightBytes);
    }
}
