using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Architectures.Layouts;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Builders;

/// <summary>
/// Architecture-independent plan description: an architecture's walk goes over its layout in forward order and calls
/// these methods; each records one layer of the switch's <see cref="PlanDescription"/> (weights, input form and folded
/// norm read from an <see cref="ILayerSource"/>) and returns the value the layer produces. <see cref="Finish"/> returns
/// the description, which <see cref="PlanAssembler"/> builds the plan from.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly List<LayerRecord> _layers = [];
    private readonly Dictionary<PlanValue, int> _values = new(ReferenceEqualityComparer.Instance);
    private readonly ILayerSource _source;
    private readonly int _switchIndex;
    private InputRecord? _input;

    /// <summary>A builder of <paramref name="precision"/>'s description, reading layers from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The network has no such switch.</exception>
    public PlanBuilder(ILayerSource source, Precision precision)
    {
        _source = source;
        _switchIndex = IndexOf(source.Options.Switches, precision);
        Precision = precision;
    }

    /// <summary>The switch being described.</summary>
    public Precision Precision { get; }

    /// <summary>The options of the network being described.</summary>
    public NetworkOptions Options => _source.Options;

    /// <summary>The normalised input image.</summary>
    public PlanValue Input()
    {
        var value = new PlanValue("input", Options.InputChannels, Options.Height, Options.Width);
        _input = new InputRecord(Options.InputChannels, Options.Height, Options.Width, Options.InputMean.ToArray(), Options.InputStd.ToArray());
        _values[value] = 0;
        return value;
    }

    /// <summary>
    /// <c>rectifier(norm(conv(input)) + residual)</c>, with the convolution's own input and weight quantizers at the
    /// switch and its switchable BatchNorm; a depthwise convolution (groups = channels) runs on its own kernel.
    /// </summary>
    public PlanValue Convolution(string name, ConvolutionLayout layer, PlanValue input, PlanValue? residual, Rectifier rectifier)
    {
        if (layer.InChannels != input.Channels)
            throw new InvalidOperationException($"Layer {name} expects {layer.InChannels} channels but its input {input.Name} has {input.Channels}.");
        if (layer.Groups != 1 && !layer.IsDepthwise)
            throw new NotSupportedException($"Grouped convolutions (groups {layer.Groups}) other than depthwise ones have no plan step yet.");
        var shape = new ConvolutionShape(input.Channels, input.Height, input.Width, layer.OutChannels, layer.Kernel, layer.Stride, layer.Padding);
        var inputForm = InputForm(layer.Path, layer.QuantizesInput);
        var (values, bits, grid) = Weights(layer.Path, layer.WeightShape, layer.QuantizesWeights);
        int taps = layer.Kernel * layer.Kernel;
        var weights = layer.IsDepthwise ? Levels(values, layer.OutChannels, taps, bits, grid)
            : Levels(InPlanOrder(values, layer.OutChannels, layer.InChannels, taps), layer.OutChannels, layer.InChannels * taps, bits, grid);
        var fold = _source.Norm(layer.NormPath, layer.OutChannels, _switchIndex);
        var output = new PlanValue(name, shape.OutChannels, shape.OutHeight, shape.OutWidth);
        return Record(new LayerRecord(layer.IsDepthwise ? LayerKind.Depthwise : LayerKind.Convolution, name, IndexOf(input),
            residual is null ? -1 : IndexOf(residual), rectifier, shape, weights, inputForm, fold), output);
    }

    /// <summary>The mean of every channel over the image.</summary>
    public PlanValue GlobalAveragePool(string name, PlanValue input) =>
        Record(new LayerRecord(LayerKind.GlobalAveragePool, name, IndexOf(input), -1, Rectifier.None, default, null, ActivationForm.Raw, null),
            new PlanValue(name, input.Channels, 1, 1));

    /// <summary><c>W x + b</c> of a 1x1 <paramref name="input"/>, as a 1x1 convolution.</summary>
    public PlanValue Linear(string name, LinearLayout layer, PlanValue input)
    {
        if (input.Height != 1 || input.Width != 1 || layer.InFeatures != input.Channels)
            throw new InvalidOperationException($"Layer {name} takes {layer.InFeatures} features but its input {input.Name} is {input.Channels}x{input.Height}x{input.Width}.");
        var shape = new ConvolutionShape(input.Channels, 1, 1, layer.OutFeatures, 1, 1, 0);
        var inputForm = InputForm(layer.Path, layer.QuantizesInput);
        var (values, bits, grid) = Weights(layer.Path, layer.WeightShape, layer.QuantizesWeights);
        var weights = Levels(values, layer.OutFeatures, layer.InFeatures, bits, grid);
        var bias = _source.Bias(layer.Path, layer.OutFeatures);
        var fold = new FoldedNorm(Enumerable.Repeat(1f, bias.Length).ToArray(), bias);
        return Record(new LayerRecord(LayerKind.Linear, name, IndexOf(input), -1, Rectifier.None, shape, weights, inputForm, fold),
            new PlanValue(name, shape.OutChannels, 1, 1));
    }

    /// <summary>The description whose result is the raw float of <paramref name="logits"/>.</summary>
    public PlanDescription Finish(PlanValue logits)
    {
        if (_input is null) throw new InvalidOperationException("The plan has no input.");
        if (IndexOf(logits) != _layers.Count)
            throw new InvalidOperationException($"The plan's result {logits.Name} is not the output of its last layer.");
        return new PlanDescription(Precision, _input, _layers.ToArray());
    }

    // What the layer's input quantizer makes of its input at the switch.
    private ActivationForm InputForm(string path, bool quantizes)
    {
        if (!quantizes) return ActivationForm.Raw;
        int bits = Precision.ActivationBits;
        if (UniformLevels.IsFullPrecision(bits)) return Options.ClipFullPrecisionActivations ? ActivationForm.Clipped : ActivationForm.Raw;
        return ActivationForm.Levels(_source.InputLevels(path, _switchIndex, bits));
    }

    // The weights at the switch in stored order, with their bits and grid.
    private (float[] Values, int Bits, WeightGrid Grid) Weights(string path, long[] shape, bool quantizes)
    {
        int bits = quantizes ? Precision.WeightBits : Precision.FullPrecisionBits;
        var (values, grid) = _source.Weights(path, shape, _switchIndex, bits);
        return (values, bits, grid);
    }

    private WeightLevels Levels(float[] values, int rows, int depth, int bits, WeightGrid grid) =>
        UniformLevels.IsFullPrecision(bits)
            ? WeightLevels.FullPrecision(values, rows, depth)
            : WeightLevels.FromQuantized(values, rows, depth, bits, grid, Options.Quantizer);

    // [out, c, t] (t = i * k + j) to the plan's K order [out, t * channels + c].
    private static float[] InPlanOrder(float[] values, int rows, int channels, int taps)
    {
        var reordered = new float[values.Length];
        int depth = channels * taps;
        for (int m = 0; m < rows; m++)
            for (int c = 0; c < channels; c++)
                for (int t = 0; t < taps; t++)
                    reordered[m * depth + t * channels + c] = values[(m * channels + c) * taps + t];
        return reordered;
    }

    private static int IndexOf(IReadOnlyList<Precision> switches, Precision precision)
    {
        for (int i = 0; i < switches.Count; i++)
            if (switches[i] == precision) return i;
        throw new ArgumentOutOfRangeException(nameof(precision), precision.ToString(),
            $"Switch {precision} is not one of this network's switches: {string.Join(", ", switches)}.");
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
