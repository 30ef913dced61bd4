using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>A family's activation quantizer for one layer input: its per-switch state, float forward and integer form.</summary>
internal abstract class ActivationQuantizerRule : QuantizerState
{
    /// <summary>
    /// The float forward: <paramref name="input"/> quantized at switch <paramref name="switchIndex"/> with
    /// <paramref name="bits"/> (1 to 8) bits; <paramref name="training"/> is the module's mode (data-driven
    /// initialisation happens only in training).
    /// </summary>
    public abstract Tensor Quantize(Tensor input, int switchIndex, int bits, bool training);

    /// <summary>The learned clipping level or step of switch <paramref name="switchIndex"/>, or null when the family learns none.</summary>
    public virtual Parameter? LearnedScale(int switchIndex) => null;

    /// <summary>True once switch <paramref name="switchIndex"/>'s learned state was initialised from data (always true for families without such state).</summary>
    public virtual bool IsInitialized(int switchIndex) => true;

    /// <summary>The integer form at switch <paramref name="switchIndex"/> with <paramref name="bits"/> (1 to 8) bits: levels and their scale.</summary>
    public abstract LevelQuantizer Levels(int switchIndex, int bits);
}
