using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// Where a plan walk reads a network's layers from, by state path (<c>layer1.0.conv1</c>): weights at a switch in the
/// family's integer form, an input quantizer's levels, a switch's folded BatchNorm, a bias. The walk
/// (<see cref="PlanBuilder"/> and the architecture builders) is the same for every source; the sources are a stored
/// state (<see cref="Stored.StoredLayerSource"/>, no TorchSharp) and the live TorchSharp modules.
/// </summary>
internal interface ILayerSource
{
    /// <summary>The options the network was built with.</summary>
    NetworkOptions Options { get; }

    /// <summary>
    /// The weights <c>{path}.weight</c> of <paramref name="shape"/> in their stored order at switch
    /// <paramref name="switchIndex"/>: the latent floats at 32 <paramref name="bits"/>, else the values the family's
    /// quantizer multiplies with, with their grid.
    /// </summary>
    (float[] Values, WeightGrid Grid) Weights(string path, long[] shape, int switchIndex, int bits);

    /// <summary>The integer form of the input quantizer of layer <paramref name="path"/> at the switch, with <paramref name="bits"/> (1 to 8) bits.</summary>
    LevelQuantizer InputLevels(string path, int switchIndex, int bits);

    /// <summary>The BatchNorm <paramref name="path"/> of <paramref name="channels"/> channels at the switch, folded.</summary>
    FoldedNorm Norm(string path, int channels, int switchIndex);

    /// <summary>The bias <c>{path}.bias</c> of <paramref name="features"/> values.</summary>
    float[] Bias(string path, int features);
}
