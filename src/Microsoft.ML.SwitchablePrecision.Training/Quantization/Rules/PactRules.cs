using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization.Rules;

/// <summary>PACT's TorchSharp side (<see cref="PactFamily"/> is its integer form): a clipping level per switch and layer input.</summary>
internal sealed class PactRules : QuantizerRules
{
    /// <inheritdoc/>
    public override QuantizerKind Kind => QuantizerKind.Pact;

    /// <inheritdoc/>
    public override WeightQuantizerRule CreateWeightRule(SwitchContext context, Tensor initialWeights) => new DoReFaRules.Weights();

    /// <inheritdoc/>
    public override ActivationQuantizerRule CreateActivationRule(SwitchContext context, float initialAlpha) =>
        new Activations(context, initialAlpha);

    private sealed class Activations : ActivationQuantizerRule
    {
        private readonly Parameter?[] _alphas;

        public Activations(SwitchContext context, float initialAlpha) =>
            _alphas = PerSwitch(context, s => s.ActivationBits, "alpha", _ => initialAlpha);

        public override Tensor Quantize(Tensor input, int switchIndex, int bits, bool training) =>
            Pact.QuantizeActivations(input, _alphas[switchIndex]!, bits);

        public override Parameter? LearnedScale(int switchIndex) => _alphas[switchIndex];

        public override LevelQuantizer Levels(int switchIndex, int bits) => PactFamily.Create(bits, Value(_alphas[switchIndex]!));
    }
}
