using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>A family's weight quantizer for one layer: its per-switch state, float forward and integer form.</summary>
internal abstract class WeightQuantizerRule : QuantizerState
{
    /// <summary>The float forward: <paramref name="weights"/> quantized at switch <paramref name="switchIndex"/> with <paramref name="bits"/> (1 to 8) bits, with the family's straight-through gradient.</summary>
    public abstract Tensor Quantize(Tensor weights, int switchIndex, int bits);

    /// <summary>The learned step of switch <paramref name="switchIndex"/>, or null when the family learns none.</summary>
    public virtual Parameter? Step(int switchIndex) => null;

    /// <summary>
    /// The integer form: the grid whose levels times its scale are the values <paramref name="quantized"/> that
    /// <see cref="Quantize"/> returned at this switch (row-major, any order).
    /// </summary>
    public abstract WeightGrid Grid(int switchIndex, int bits, ReadOnlySpan<float> quantized);
}
