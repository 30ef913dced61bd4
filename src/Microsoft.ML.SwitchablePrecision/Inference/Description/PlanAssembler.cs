using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference.Description;

/// <summary>
/// Builds the <see cref="InferencePlan"/> of a <see cref="PlanDescription"/> alone (no network, no TorchSharp): each
/// layer gets the arithmetic its weights and input form select, its fold times that arithmetic's output scale, and
/// the steps are created once every consumer has said which form of each value it reads.
/// </summary>
internal static class PlanAssembler
{
    /// <summary>The plan of <paramref name="description"/>.</summary>
    /// <exception cref="InvalidOperationException">The layers do not fit together; the message names the layer and what it expected.</exception>
    public static InferencePlan Build(PlanDescription description, int maxBitSerialPlanes = ArithmeticSelector.DefaultMaxBitSerialPlanes)
    {
        ArgumentNullException.ThrowIfNull(description);
        var input = description.Input;
        if (description.Layers.Count == 0) throw new InvalidOperationException($"The plan of {description.Precision} has no layers.");
        var values = new List<PlanValue> { new("input", input.Channels, input.Height, input.Width) };
        var stage = new InputStage(input.Channels, input.Height, input.Width, input.Mean, input.Std, values[0].Read(ActivationForm.Raw));
        var steps = new List<Func<PlanStep>>();
        foreach (var layer in description.Layers)
            values.Add(layer.Kind == LayerKind.GlobalAveragePool
                ? Pool(layer, Value(values, layer.Input, layer, "input"), steps)
                : Convolution(layer, values, steps, maxBitSerialPlanes));
        var logits = values[^1];
        var slot = logits.Read(ActivationForm.Raw);
        return new InferencePlan(description.Precision, stage, steps.Select(create => create()).ToArray(), slot, logits.Channels);
    }

    private static PlanValue Pool(LayerRecord layer, PlanValue input, List<Func<PlanStep>> steps)
    {
        var output = new PlanValue(layer.Name, input.Channels, 1, 1);
        var source = input.Read(ActivationForm.Raw);
        steps.Add(() => new GlobalAveragePoolStep(layer.Name, source, input.Height * input.Width, input.Channels, output.Forms));
        return output;
    }

    private static PlanValue Convolution(LayerRecord layer, List<PlanValue> values, List<Func<PlanStep>> steps, int maxBitSerialPlanes)
    {
        var input = Value(values, layer.Input, layer, "input");
        var residual = layer.Residual < 0 ? null : Value(values, layer.Residual, layer, "residual");
        var shape = layer.Shape;
        var weights = layer.Weights ?? throw Mismatch(layer, "weights", "none");
        var fold = layer.Fold ?? throw Mismatch(layer, "a fold", "none");
        if (shape.InChannels != input.Channels || shape.Height != input.Height || shape.Width != input.Width)
            throw Mismatch(layer, $"a {shape.InChannels}x{shape.Height}x{shape.Width} input", $"{input.Name} of {input.Channels}x{input.Height}x{input.Width}");
        if (layer.Kind == LayerKind.Linear && (shape.Height != 1 || shape.Width != 1 || shape.KernelSize != 1))
            throw Mismatch(layer, "a 1x1 input and kernel", $"{shape.Height}x{shape.Width} with kernel {shape.KernelSize}");
        // Padding below the kernel size keeps every output no larger than its input plus a kernel's width.
        if (shape.KernelSize < 1 || shape.Stride < 1 || shape.Padding < 0 || shape.Padding >= shape.KernelSize || shape.OutChannels < 1
            || shape.KernelSize > Math.Min(shape.Height, shape.Width) + 2 * shape.Padding)
            throw Mismatch(layer, "a kernel of at most the padded input, stride 1 or more and padding below the kernel size",
                $"kernel {shape.KernelSize}, stride {shape.Stride}, padding {shape.Padding} on {shape.Height}x{shape.Width} with {shape.OutChannels} outputs");
        bool depthwise = layer.Kind == LayerKind.Depthwise;
        int rows = shape.OutChannels, depth = depthwise ? shape.KernelSize * shape.KernelSize : shape.Depth;
        if (weights.Rows != rows || weights.Depth != depth)
            throw Mismatch(layer, $"[{rows}, {depth}] weights", $"[{weights.Rows}, {weights.Depth}]");
        if (fold.Multiplier.Length != rows || fold.Bias.Length != rows)
            throw Mismatch(layer, $"a fold of {rows} channels", $"{fold.Multiplier.Length} multipliers and {fold.Bias.Length} biases");
        var output = new PlanValue(layer.Name, rows, shape.OutHeight, shape.OutWidth);
        if (residual is not null && residual.PerImage != output.PerImage)
            throw Mismatch(layer, $"a residual of {output.Channels}x{output.Height}x{output.Width}", $"{residual.Name} of {residual.Channels}x{residual.Height}x{residual.Width}");
        ConvolutionArithmetic arithmetic = depthwise
            ? new DepthwiseArithmetic(shape, weights, layer.InputForm)
            : ArithmeticSelector.Select(shape, weights, layer.InputForm, maxBitSerialPlanes);
        var scaled = fold.AfterScale(arithmetic.OutputScale);
        var source = input.Read(arithmetic.InputForm);
        var added = residual?.Read(ActivationForm.Raw);
        steps.Add(() => new ConvolutionStep(layer.Name, arithmetic, source, new OutputStage(scaled, added, layer.Rectifier, output.Forms)));
        return output;
    }

    // Only earlier values: a layer reads the input or what a layer before it wrote.
    private static PlanValue Value(List<PlanValue> values, int index, LayerRecord layer, string role) =>
        index >= 0 && index < values.Count ? values[index]
            : throw Mismatch(layer, $"its {role} to be the input (0) or an earlier layer (1 to {values.Count - 1})", $"value {index}");

    private static InvalidOperationException Mismatch(LayerRecord layer, string expected, string actual) =>
        new($"Layer {layer.Name} ({layer.Kind}) expects {expected}; got {actual}.");
}
