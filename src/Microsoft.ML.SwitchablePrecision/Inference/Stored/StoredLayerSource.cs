using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Stored;

/// <summary>
/// A network's layers read from its stored state without TorchSharp, by the names the modules register: latent weights
/// <c>{layer}.weight</c> and bias <c>{layer}.bias</c>; per quantized switch <c>i</c> the PACT clipping level
/// <c>{layer}.input_quantizer.alpha_{i}</c> or the LSQ steps <c>{layer}.input_quantizer.step_{i}</c> and
/// <c>{layer}.weight_quantizer.step_{i}</c>; per switch the BatchNorm <c>{norm}.bn.{i}.weight</c>, <c>.bias</c>,
/// <c>.running_mean</c>, <c>.running_var</c>. Every tensor must have the shape the layout of the stored options gives.
/// </summary>
internal sealed class StoredLayerSource(NetworkOptions options, StoredTensorTable tensors) : ILayerSource
{
    /// <inheritdoc/>
    public NetworkOptions Options { get; } = options;

    /// <inheritdoc/>
    public (float[] Values, WeightGrid Grid) Weights(string path, long[] shape, int switchIndex, int bits)
    {
        var latent = tensors.Floats($"{path}.weight", shape);
        if (UniformLevels.IsFullPrecision(bits)) return (latent, default);
        float step = Options.Quantizer == QuantizerKind.Lsq ? tensors.Scalar($"{path}.weight_quantizer.step_{switchIndex}") : 0f;
        return StoredWeightQuantizer.Quantize(Options.Quantizer, latent, bits, step);
    }

    /// <inheritdoc/>
    public LevelQuantizer InputLevels(string path, int switchIndex, int bits)
    {
        float learned = Options.Quantizer switch
        {
            QuantizerKind.Pact => tensors.Scalar($"{path}.input_quantizer.alpha_{switchIndex}"),
            QuantizerKind.Lsq => tensors.Scalar($"{path}.input_quantizer.step_{switchIndex}"),
            _ => 0f,
        };
        return QuantizerRegistry.Get(Options.Quantizer).RestoreLevels(bits, learned);
    }

    /// <inheritdoc/>
    public FoldedNorm Norm(string path, int channels, int switchIndex)
    {
        string prefix = $"{path}.bn.{switchIndex}.";
        return FoldedNorm.Fold(tensors.Floats(prefix + "running_mean", channels), tensors.Floats(prefix + "running_var", channels),
            tensors.Floats(prefix + "weight", channels), tensors.Floats(prefix + "bias", channels), FoldedNorm.DefaultEpsilon);
    }

    /// <inheritdoc/>
    public float[] Bias(string path, int features) => tensors.Floats($"{path}.bias", features);
}
