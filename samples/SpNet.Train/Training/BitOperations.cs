using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace SpNet.Train.Training;

/// <summary>
/// Bit operations (BOPs) per image: every multiply-accumulate counted as weight bits times activation bits, the
/// cost measure of the quantization literature. Layers kept at full precision count 32 x 32.
/// </summary>
internal static class BitOperations
{
    /// <summary>BOPs of one image through <paramref name="layers"/> at <paramref name="precision"/>.</summary>
    public static double PerImage(IEnumerable<LayerCost> layers, Precision precision) => layers.Sum(layer =>
        (double)layer.MacsPerImage
        * (layer.QuantizedWeights ? precision.WeightBits : Precision.FullPrecisionBits)
        * (layer.QuantizedInput ? precision.ActivationBits : Precision.FullPrecisionBits));
}
