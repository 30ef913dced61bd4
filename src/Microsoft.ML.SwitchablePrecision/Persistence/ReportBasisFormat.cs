using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The binary form of a <see cref="ReportBasis"/>: int32 count of layers, per layer its name and kind (strings), int64
/// weights and multiply-accumulates per image, byte flags for quantized weights and quantized input; then the int64
/// parameter count.
/// </summary>
internal static class ReportBasisFormat
{
    public static void Write(BinaryWriter writer, ReportBasis basis)
    {
        writer.Write(basis.Layers.Count);
        foreach (var layer in basis.Layers)
        {
            writer.Write(layer.Name);
            writer.Write(layer.Kind);
            writer.Write(layer.Weights);
            writer.Write(layer.MacsPerImage);
            writer.Write(layer.QuantizedWeights);
            writer.Write(layer.QuantizedInput);
        }
        writer.Write(basis.Parameters);
    }

    /// <exception cref="InvalidDataException">A count or size is negative or exceeds the bytes that remain.</exception>
    public static ReportBasis Read(BoundedReader reader)
    {
        // Each layer takes at least two string lengths, two int64 and two flags.
        int count = reader.Count("layer cost count", 2 + 2 * sizeof(long) + 2);
        var layers = new LayerCost[count];
        for (int i = 0; i < count; i++)
        {
            string name = reader.String(), kind = reader.String();
            long weights = reader.Int64(), macs = reader.Int64();
            if (weights < 0 || macs < 0) throw new InvalidDataException($"Layer cost {name} has {weights} weights and {macs} multiply-accumulates; expected 0 or more.");
            layers[i] = new LayerCost(name, kind, weights, macs, reader.Byte() != 0, reader.Byte() != 0);
        }
        long parameters = reader.Int64();
        if (parameters < 0) throw new InvalidDataException($"The parameter count {parameters} is negative.");
        return new ReportBasis(layers, parameters);
    }
}
