using System.Globalization;
using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Reporting;

/// <summary>
/// A per-switch summary of a network in the spirit of <c>larq.models.summary</c>: weights by bit width, packed
/// weight size against float32, and multiply-accumulates split into binary, low-bit and full-precision operations.
/// </summary>
public sealed class PrecisionReport
{
    private PrecisionReport(IReadOnlyList<SwitchCost> switches, IReadOnlyList<LayerCost> layers)
    {
        Switches = switches;
        Layers = layers;
    }

    /// <summary>One entry per switch, in the network's switch order.</summary>
    public IReadOnlyList<SwitchCost> Switches { get; }

    /// <summary>The weight layers the figures are computed from.</summary>
    public IReadOnlyList<LayerCost> Layers { get; }

    /// <summary>The report of <paramref name="switches"/> from a network's layer costs (what a model exported for inference keeps).</summary>
    internal static PrecisionReport Create(IReadOnlyList<Precision> switches, ReportBasis basis) =>
        new(switches.Select(p => Cost(p, basis.Layers, basis.Parameters)).ToArray(), basis.Layers);

    /// <summary>The report as a fixed-width text table.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{"Switch",-8} {"Weights by bits",-28} {"Packed KB",10} {"FP32 KB",10} {"Ratio",7} {"Binary MMAC",12} {"Low-bit MMAC",13} {"FP MMAC",10}");
        foreach (var s in Switches)
        {
            var byBits = string.Join(" ", s.WeightsByBits.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}b:{kv.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{s.Precision,-8} {byBits,-28} {s.PackedWeightBytes / 1024.0,10:F1} {s.Float32WeightBytes / 1024.0,10:F1} {s.CompressionRatio,6:F1}x {s.BinaryMacs / 1e6,12:F2} {s.LowBitMacs / 1e6,13:F2} {s.FullPrecisionMacs / 1e6,10:F2}");
        }
        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToTable();

    private static SwitchCost Cost(Precision precision, IReadOnlyList<LayerCost> layers, long parameters)
    {
        var byBits = new SortedDictionary<int, long>();
        long packedBits = 0, scales = 0, binary = 0, lowBit = 0, full = 0;
        foreach (var layer in layers)
        {
            int weightBits = layer.QuantizedWeights ? precision.WeightBits : Precision.FullPrecisionBits;
            int inputBits = layer.QuantizedInput ? precision.ActivationBits : Precision.FullPrecisionBits;
            byBits[weightBits] = byBits.GetValueOrDefault(weightBits) + layer.Weights;
            packedBits += layer.Weights * weightBits;
            if (weightBits < Precision.FullPrecisionBits) scales++;
            if (weightBits == 1 && inputBits == 1) binary += layer.MacsPerImage;
            else if (weightBits < Precision.FullPrecisionBits && inputBits < Precision.FullPrecisionBits) lowBit += layer.MacsPerImage;
            else full += layer.MacsPerImage;
        }
        long float32Bytes = layers.Sum(l => l.Weights) * 4;
        long packedBytes = (packedBits + 7) / 8 + scales * 4;
        return new SwitchCost(precision, parameters, byBits, packedBytes, float32Bytes, binary, lowBit, full);
    }
}
