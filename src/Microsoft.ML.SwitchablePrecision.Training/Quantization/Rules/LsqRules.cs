using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization.Families;
using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization.Rules;

/// <summary>LSQ's TorchSharp side (<see cref="LsqFamily"/> is its integer form): a learned step per switch for each quantized tensor.</summary>
internal sealed class LsqRules : QuantizerRules
{
    /// <inheritdoc/>
    public override QuantizerKind Kind => QuantizerKind.Lsq;

    /// <inheritdoc/>
    public override WeightQuantizerRule CreateWeightRule(SwitchContext context, Tensor initialWeights) => new Weights(context, initialWeights);

    /// <inheritdoc/>
    public override ActivationQuantizerRule CreateActivationRule(SwitchContext context, float initialAlpha) => new Activations(context);

    private sealed class Weights : WeightQuantizerRule
    {
        private readonly Parameter?[] _steps;
        private readonly long _weightCount;

        public Weights(SwitchContext context, Tensor initialWeights)
        {
            _weightCount = initialWeights.numel();
            _steps = PerSwitch(context, s => s.WeightBits, "step", bits => Lsq.InitialStep(initialWeights, bits, signed: true));
        }

        public override Tensor Quantize(Tensor weights, int switchIndex, int bits) =>
            Lsq.Quantize(weights, _steps[switchIndex]!, bits, signed: true, Lsq.GradientScale(_weightCount, bits, signed: true));

        public override Parameter? Step(int switchIndex) => _steps[switchIndex];

        public override WeightGrid Grid(int switchIndex, int bits, ReadOnlySpan<float> quantized)
        {
            float step = Value(_steps[switchIndex]!);
            return bits == 1 ? WeightGrid.Signs(step) : new(step, -LsqLevels.Negative(bits, signed: true), LsqLevels.Positive(bits, signed: true), 1);
        }
    }

    private sealed class Activations : ActivationQuantizerRule
    {
        private readonly Parameter?[] _steps;
        private readonly Tensor _initialized;

        public Activations(SwitchContext context)
        {
            _steps = PerSwitch(context, s => s.ActivationBits, "step", _ => 1f);
            _initialized = Buffer("step_initialized", zeros(_steps.Length));
        }

        public override Tensor Quantize(Tensor input, int switchIndex, int bits, bool training)
        {
            var step = _steps[switchIndex]!;
            if (training && !IsInitialized(switchIndex)) Initialize(switchIndex, step, input, bits);
            long perImage = input.shape[0] == 0 ? 1 : Math.Max(1, input.numel() / input.shape[0]);
            return Lsq.Quantize(input, step, bits, signed: false, Lsq.GradientScale(perImage, bits, signed: false));
        }

        public override Parameter? LearnedScale(int switchIndex) => _steps[switchIndex];

        public override bool IsInitialized(int switchIndex) => _initialized.data<float>()[switchIndex] != 0;

        public override LevelQuantizer Levels(int switchIndex, int bits) => LsqFamily.Create(bits, Value(_steps[switchIndex]!));

        private void Initialize(int switchIndex, Parameter step, Tensor input, int bits)
        {
            using var _ = no_grad();
            using var initial = Lsq.InitialStep(input, bits, signed: false).ToScalar();
            step.fill_(initial);
            using var flag = _initialized[switchIndex];
            flag.fill_(TorchScalars.One);
        }
    }
}
