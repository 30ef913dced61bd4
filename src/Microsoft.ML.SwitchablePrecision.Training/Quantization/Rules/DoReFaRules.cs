using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization.Rules;

/// <summary>DoReFa's TorchSharp side (<see cref="DoReFaFamily"/> is its integer form): no learned state.</summary>
internal sealed class DoReFaRules : QuantizerRules
{
    /// <inheritdoc/>
    public override QuantizerKind Kind => QuantizerKind.DoReFa;

    /// <inheritdoc/>
    public override WeightQuantizerRule CreateWeightRule(SwitchContext context, Tensor initialWeights) => new Weights();

    /// <inheritdoc/>
    public override ActivationQuantizerRule CreateActivationRule(SwitchContext context, float initialAlpha) => new Activations();

    /// <summary>DoReFa's weights (also PACT's): no per-switch state.</summary>
    internal sealed class Weights : WeightQuantizerRule
    {
        /// <inheritdoc/>
        public override Tensor Quantize(Tensor weights, int switchIndex, int bits) => DoReFa.QuantizeWeights(weights, bits);

        /// <inheritdoc/>
        public override WeightGrid Grid(int switchIndex, int bits, ReadOnlySpan<float> quantized)
        {
            if (bits == 1) return WeightGrid.Signs(quantized.Length == 0 ? 0f : MathF.Abs(quantized[0]));
            int steps = UniformLevels.Steps(bits);
            return new(1f / steps, -steps, steps, 2);
        }
    }

    private sealed class Activations : ActivationQuantizerRule
    {
        public override Tensor Quantize(Tensor input, int switchIndex, int bits, bool training) => DoReFa.QuantizeActivations(input, bits);

        public override LevelQuantizer Levels(int switchIndex, int bits) => DoReFaFamily.Levels(bits);
    }
}
