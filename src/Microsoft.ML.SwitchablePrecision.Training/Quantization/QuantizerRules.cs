using Microsoft.ML.SwitchablePrecision.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// The TorchSharp side of one quantizer family: the per-switch state it keeps for a layer's weights and for a layer's
/// input, with their float forward (training and the simulated path). Its integer form and options are the runtime's
/// <see cref="QuantizerFamily"/> of the same <see cref="Kind"/>; rules are found only through <see cref="QuantizerRuleRegistry"/>.
/// </summary>
internal abstract class QuantizerRules
{
    /// <summary>The family these rules implement.</summary>
    public abstract QuantizerKind Kind { get; }

    /// <summary>Creates the state of one layer's weight quantizer (its parameters are registered by the caller).</summary>
    /// <param name="context">The network's switch context.</param>
    /// <param name="initialWeights">The layer's initial latent weights.</param>
    public abstract WeightQuantizerRule CreateWeightRule(SwitchContext context, Tensor initialWeights);

    /// <summary>Creates the state of one layer's input quantizer (its parameters are registered by the caller).</summary>
    /// <param name="context">The network's switch context.</param>
    /// <param name="initialAlpha">The initial clipping level of families that learn one; the others ignore it.</param>
    public abstract ActivationQuantizerRule CreateActivationRule(SwitchContext context, float initialAlpha);
}
