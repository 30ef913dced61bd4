using Microsoft.ML.SwitchablePrecision.Quantization;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// The weight and input quantizers of one weight layer. The layer registers them as its submodules
/// <c>weight_quantizer</c> and <c>input_quantizer</c> (names that saved models rely on).
/// </summary>
internal sealed class OperandQuantizers
{
    public OperandQuantizers(SwitchContext context, QuantizerKind quantizer, Parameter weight, bool quantizeWeights, bool quantizeInput)
    {
        if (quantizeWeights) Weight = new WeightQuantizer("weight_quantizer", context, quantizer, weight);
        if (quantizeInput) Input = new ActivationQuantizer("input_quantizer", context, quantizer);
    }

    public WeightQuantizer? Weight { get; }

    public ActivationQuantizer? Input { get; }

    public void RegisterWith(Action<string, nn.Module> register)
    {
        if (Weight is not null) register("weight_quantizer", Weight);
        if (Input is not null) register("input_quantizer", Input);
    }

    /// <summary>The quantized input and weight at the active switch, or null where the operand stays as it is.</summary>
    public (Tensor? Input, Tensor? Weight) Quantize(Tensor input, Tensor weight) =>
        (Input is null || Input.IsIdentity ? null : Input.forward(input),
         Weight is null || Weight.IsIdentity ? null : Weight.forward(weight));
}
