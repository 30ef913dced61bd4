using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp.Modules;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// Architecture-independent plan construction: an architecture's builder walks its network in forward order and
/// calls these methods; each records one layer of the switch's <see cref="PlanDescription"/> (weights, input form and
/// folded norm read out of the TorchSharp modules) and returns the value the layer produces. <see cref="Build"/>
/// builds the plan from that description alone (<see cref="PlanAssembler"/>).
/// </summary>
internal sealed class PlanBuilder
{
    private readonly List<LayerRecord> _layers = [];
    private readonly Dictionary<PlanValue, int> _values = new(ReferenceEqualityComparer.Instance);
    private readonly LayerOperands _operands;
    private readonly int _switchIndex;
    private readonly int _maxBitSerialPlanes;
    private InputRecord? _input;

    public PlanBuilder(SwitchContext context, int switchIndex, int maxBitSerialPlanes = ArithmeticSelector.DefaultMaxBitSerialPlanes)
    {
        _maxBitSerialPlanes = maxBitSerialPlanes;
        _operands = new LayerOperands(context, switchIndex);
        _switchIndex = switchIndex;
        Precision = context.Switches[switchIndex];
    }

    /// <summary>The switch being compiled.</summary>
    public Precision Precision { get; }

    /// <summary>The description recorded by the last <see cref="Build"/>, or null before it.</summary>
    public PlanDescription? Description { get; private set; }

    /// <summary>The BatchNorm of the compiled switch.</summary>
    public BatchNorm2d Norm(SwitchableBatchNorm2d norm) => norm.ForSwitch(_switchIndex);

    /// <summary>The normalised input image.</summary>
    public PlanValue Input(int channels, int height, int width, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var value = new PlanValue("input", channels, height, width);
        _input = new InputRecord(channels, height, width, mean.ToArray(), std.ToArray());
        _values[value] = 0;
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
        bool depthwise = LayerOperands.IsDepthwise(convolution);
        var weights = depthwise ? _operands.DepthwiseWeights(convolution) : _operands.Weights(convolution);
        var fold = norm is null ? FoldedNorm.Identity(shape.OutChannels) : FoldedNorm.From(norm);
        var output = new PlanValue(name, shape.OutChannels, shape.OutHeight, shape.OutWidth);
        return Record(new LayerRecord(depthwise ? LayerKind.Depthwise : LayerKind.Convolution, name, IndexOf(input),
            residual is null ? -1 : IndexOf(residual), rectifier, shape, weights, inputForm, fold), output);
    }

    /// <summary>The mean of every channel over the image.</summary>
    public PlanValue GlobalAveragePool(string name, PlanValue input) =>
        Record(new LayerRecord(LayerKind.GlobalAveragePool, name, IndexOf(input), -1, Rectifier.None, default, null, ActivationForm.Raw, null),
            new PlanValue(name, input.Channels, 1, 1));

    /// <summary><c>W x + b</c> of a 1x1 <paramref name="input"/>, as a 1x1 convolution.</summary>
    public PlanValue Linear(string name, QuantizedLinear linear, PlanValue input)
    {
        if (input.Height != 1 || input.Width != 1 || linear.InFeatures != input.Channels)
            throw new InvalidOperationException($"Layer {name} takes {linear.InFeatures} features but its input {input.Name} is {input.Channels}x{input.Height}x{input.Width}.");
        var shape = new ConvolutionShape(input.Channels, 1, 1, (int)linear.OutFeatures, 1, 1, 0);
        var bias = FoldedNorm.Floats(linear.Bias);
        var fold = new FoldedNorm(Enumerable.Repeat(1f, bias.Length).ToArray(), bias);
        return Record(new LayerRecord(LayerKind.Linear, name, IndexOf(input), -1, Rectifier.None, shape,
            _operands.Weights(linear), _operands.InputForm(linear.InputQuantizer), fold), new PlanValue(name, shape.OutChannels, 1, 1));
    }

    /// <summary>The plan whose result is the raw float of <paramref name="logits"/>, built from the recorded description alone.</summary>
    public InferencePlan Build(PlanValue logits)
    {
        if (_input is null) throw new InvalidOperationException("The plan has no input.");
        if (IndexOf(logits) != _layers.Count)
            throw new InvalidOperationException($"The plan's result {logits.Name} is not the output of its last layer.");
        Description = new PlanDescription(Precision, _input, _layers.ToArray());
        return PlanAssembler.Build(Description, _maxBitSerialPlanes);
    }

    private PlanValue Record(LayerRecord layer, PlanValue output)
    {
        _layers.Add(layer);
        _values[output] = _layers.Count;
        return output;
    }

    private int IndexOf(PlanValue value) => _values.TryGetValue(value, out int index) ? index
        : throw new InvalidOperationException($"Value {value.Name} was not produced by this plan's builder.");
}
