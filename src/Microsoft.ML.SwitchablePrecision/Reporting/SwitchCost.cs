namespace Microsoft.ML.SwitchablePrecision.Reporting;

/// <summary>What one switch of a network costs for one image.</summary>
/// <param name="Precision">The switch.</param>
/// <param name="Parameters">Weights of the weight layers (shared by all switches) plus the other parameters (biases,
/// every switch's BatchNorm and quantizer parameters), all counted once.</param>
/// <param name="WeightsByBits">Weights of the weight layers grouped by the bit width this switch stores them at.</param>
/// <param name="PackedWeightBytes">Bytes of the layer weights stored at this switch's bit widths with the bits packed tightly
/// (full-precision layers at 4 bytes per weight), plus one float32 scale per quantized layer: the size of this switch on
/// its own. The packed inference kernels use more (each output channel's bits padded to whole 64-bit words), and the
/// model also keeps the float32 latent weights that every switch shares.</param>
/// <param name="Float32WeightBytes">Bytes of the same weights stored as float32.</param>
/// <param name="BinaryMacs">Multiply-accumulates with 1-bit weights and 1-bit activations (AND and popcount: activations are {0, 1}).</param>
/// <param name="LowBitMacs">Multiply-accumulates with both operands at 2 to 8 bits (integer arithmetic), or one at 1 bit and the other at 2 to 8.</param>
/// <param name="FullPrecisionMacs">Multiply-accumulates with an operand at 32 bits (with 1-bit weights these reduce to
/// sign-controlled additions, as in BinaryConnect).</param>
public sealed record SwitchCost(Precision Precision, long Parameters, IReadOnlyDictionary<int, long> WeightsByBits,
    long PackedWeightBytes, long Float32WeightBytes, long BinaryMacs, long LowBitMacs, long FullPrecisionMacs)
{
    /// <summary>All multiply-accumulates per image.</summary>
    public long TotalMacs => BinaryMacs + LowBitMacs + FullPrecisionMacs;

    /// <summary>How many times smaller the packed weights are than float32.</summary>
    public double CompressionRatio => PackedWeightBytes == 0 ? 1 : (double)Float32WeightBytes / PackedWeightBytes;
}
