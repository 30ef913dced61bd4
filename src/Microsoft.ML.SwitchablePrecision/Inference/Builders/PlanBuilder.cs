using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp.Modules;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// Architecture-independent plan construction: an architecture's builder walks its network in forward order and
/// calls these methods; each returns the value the layer produces. Steps are created at <see cref="Build"/>, once
/// every consumer has said which form of each value it reads.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly List<Func<PlanStep>> _steps = [];
    private readonly LayerOperands _operands;
    private readonly int _switchIndex;
    private readonly int _maxBitSerialPlanes;
    private InputStage? _input;

    public PlanBuilder(SwitchContext context, int switchIndex, int maxBitSerialPlanes = ArithmeticSelector.DefaultMaxBitSerialPlanes)
    {
        _maxBitSerialPlanes = maxBitSerialPlanes;
        _operands = new LayerOperands(context, switchIndex);
        _switchIndex = switchIndex;
        Precision = context.Switches[switchIndex];
    }

    /// <summary>The switch being compiled.</summary>
    public Precision Precision { get; }

    /// <summary>The BatchNorm of the compiled switch.</summary>
    public BatchNorm2d Norm(SwitchableBatchNorm2d norm) => norm.ForSwitch(_switchIndex);

    /// <summary>The normalised input image.</summary>
    public PlanValue Input(int channels, int height, int width, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var value = new PlanValue("input", channels, height, width);
        _input = new InputStage(channels, height, width, mean.ToArray(), std.ToArray(), value.Read(ActivationForm.Raw));
        return value;
    }

    /// <summary>
    /// <c>relu?(norm(conv(input)) + residual)</c>, with the convolution's own input and weight quantizers at the switch.
    /// </summary>
    public PlanValue Convolution(string name, QuantizedConv2d convolution, BatchNorm2d? norm, PlanValue input, PlanValue? residual, bool relu) =>
        Convolution(name, convolution, norm, input, residual, relu ? Rectifier.Relu : Rectifier.None);

    /// <summary>
    /// <c>rectifier(norm(conv(input)) + residual)</c>, with the convolution's own input and weight quantizers at the
    /// switch; a depthwise convolution (groups = channels) runs on its own kernel.
    /// </summary>
    public PlanValue Convolution(string name, QuantizedConv2d convolution, BatchNorm2d? norm, PlanValue input, PlanValue? residual, Rectifier rectifier)
    {
        var shape = new ConvolutionShape(input.Channels, input.Height, input.Width, (int)convolution.OutChannels,
            convolution.KernelSize, convolution.Stride, convolution.Padding);
        if (convolution.InChannels != input.Channels)
            throw new InvalidOperationException($"Layer {name} expects {convolution.InChannels} channels but its input {input.Name} has {input.Channels}.");
        var inputForm = _operands.InputForm(convolution.InputQuantizer);
        ConvolutionArithmetic arithmetic = LayerOperands.IsDepthwise(convolution)
            ? new DepthwiseArithmetic(shape, _operands.DepthwiseWeights(convolution), inputForm)
            : ArithmeticSelector.Select(shape, _operands.Weights(convolution), inputForm, _maxBitSerialPlanes);
        var fold = (norm is null ? FoldedNorm.Identity(shape.OutChannels) : FoldedNorm.From(norm)).AfterScale(arithmetic.OutputScale);
        var output = new PlanValue(name, shape.OutChannels, shape.OutHeight, shape.OutWidth);
        return Add(name, arithmetic, input, fold, residual, rectifier, output);
    }

    /// <summary>The mean of every channel over the image.</summary>
    public PlanValue GlobalAveragePool(string name, PlanValue input)
    {
        var output = new PlanValue(name, input.Channels, 1, 1);
        var source = input.Read(ActivationForm.Raw);
        _steps.Add(() => new GlobalAveragePoolStep(name, source, input.Height * input.Width, input.Channels, output.Forms));
        return output;
    }

    /// <summary><c>W x + b</c> of a 1x1 <paramref name="input"/>, as a 1x1 convolution.</summary>
    public PlanValue Linear(string name, QuantizedLinear linear, PlanValue input)
    {
        if (input.Height != 1 || input.Width != 1 || linear.InFeatures != input.Channels)
            throw new InvalidOperationException($"Layer {name} takes {linear.InFeatures} features but its input {input.Name} is {input.Channels}x{input.Height}x{input.Width}.");
        var shape = new ConvolutionShape(input.Channels, 1, 1, (int)linear.OutFeatures, 1, 1, 0);
        var arithmetic = ArithmeticSelector.Select(shape, _operands.Weights(linear), _operands.InputForm(linear.InputQuantizer), _maxBitSerialPlanes);
        var bias = FoldedNorm.Floats(linear.Bias);
        var fold = new FoldedNorm(Enumerable.Repeat(arithmetic.OutputScale, bias.Length).ToArray(), bias);
        var output = new PlanValue(name, shape.OutChannels, 1, 1);
        return Add(name, arithmetic, input, fold, residual: null, Rectifier.None, output);
    }

    /// <summary>The plan whose result is the raw float of <paramref name="logits"/>.</summary>
    public InferencePlan Build(PlanValue logits)
    {
        if (_input is null) throw new InvalidOperationException("The plan has no input.");
        var slot = logits.Read(ActivationForm.Raw);
        var steps = _steps.Select(create => create()).ToArray();
        return new InferencePlan(Precision, _input, steps, slot, logits.Channels);
    }

    private PlanValue Add(string name, ConvolutionArithmetic arithmetic, PlanValue input, FoldedNorm fold, PlanValue? residual,
        Rectifier rectifier, PlanValue output)
    {
        var source = input.Read(arithmetic.InputForm);
        var added = residual?.Read(ActivationForm.Raw);
        _steps.Add(() => new ConvolutionStep(name, arithmetic, source, new OutputStage(fold, added, rectifier, output.Forms)));
        return output;
    }
}
