using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// One quantizer family as the prediction runtime knows it: the options it supports and its integer "levels + scale"
/// form that the inference plans and the packed kernels read. Its TorchSharp side (the per-switch state and float
/// forward of training and the simulated path) is the family's <c>QuantizerRules</c> in the training assembly. A family
/// is found only through <see cref="QuantizerRegistry"/>; adding one is a new file in <c>Quantization/Families</c>, its
/// <see cref="QuantizerKind"/> member and one registry line here, and its rules file with one line in the training
/// assembly's <c>QuantizerRuleRegistry</c> (docs/method.md, "Adding a quantizer family").
/// </summary>
internal abstract class QuantizerFamily
{
    /// <summary>The public name users choose the family by.</summary>
    public abstract QuantizerKind Kind { get; }

    /// <summary>
    /// True when the family's activations live on [0, 1], so that clipping the inputs of 32-bit activation switches to
    /// that range (<c>SwitchContext.ClipFullPrecisionActivations</c>) puts every switch on one range.
    /// </summary>
    public virtual bool SupportsClipFullPrecisionActivations => false;

    /// <summary>
    /// True when the packed binary convolution (<see cref="Kernels.BinaryConv2d"/>: sign weights scaled by
    /// <c>mean|w|</c>, activation levels <c>round(n clamp(x, 0, 1))</c> scaled by <c>1/n</c>) computes this family's
    /// 1-bit-weight layers exactly.
    /// </summary>
    public virtual bool RunsOnPackedBinaryKernel => false;

    /// <summary>
    /// The integer form of the family's activation quantizer at <paramref name="bits"/> (1 to 8) bits from its learned
    /// value (<see cref="LevelQuantizer.Learned"/>): what a layer's quantizer gives at a switch, recreated from a stored plan.
    /// </summary>
    public abstract LevelQuantizer RestoreLevels(int bits, float learned);

    /// <inheritdoc/>
    public override string ToString() => Kind.ToString();
}
