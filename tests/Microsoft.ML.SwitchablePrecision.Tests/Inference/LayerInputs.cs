using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// What each fused step of a ResNet plan reads and should produce, captured from the TorchSharp forward with hooks:
/// the convolution's float input, the residual it adds, and the value after its output stage (ReLU included).
/// </summary>
internal sealed class LayerInputs
{
    private readonly Dictionary<string, (float[] Input, float[]? Residual, float[] Output, int Images)> _layers = [];

    public IEnumerable<string> Names => _layers.Keys;

    public (float[] Input, float[]? Residual, float[] Output, int Images) this[string name] => _layers[name];

    /// <summary>Runs the TorchSharp forward of <paramref name="network"/> at its active switch and records every layer.</summary>
    public static LayerInputs Capture(ResNet network, Tensor images)
    {
        var recorder = new Recorder();
        var values = recorder.Values;
        var Before = recorder.Before;
        var After = recorder.After;

        Before(network.Stem, "stem.in");
        var blocks = network.Blocks.ToArray();
        for (int i = 0; i < blocks.Length; i++)
        {
            Before(blocks[i].Conv1, $"block{i}.in");
            Before(blocks[i].Conv2, $"block{i}.hidden");
            After(blocks[i], $"block{i}.out");
            if (blocks[i].Shortcut is { } shortcut)
            {
                Before(shortcut, $"block{i}.shortcut.in");
                After(blocks[i].ShortcutNorm!, $"block{i}.shortcut.out");
            }
        }
        using (no_grad()) network.forward(images).Dispose();
        recorder.Remove();

        int n = (int)images.shape[0];
        var layers = new LayerInputs();
        void Add(string name, string input, string? residual, string output) =>
            layers._layers[name] = (Floats(values[input]), residual is null ? null : Floats(values[residual]), Floats(values[output]), n);
        Add("stem", "stem.in", null, "block0.in");
        for (int i = 0; i < blocks.Length; i++)
        {
            Add($"block{i}.conv1", $"block{i}.in", null, $"block{i}.hidden");
            string residual = $"block{i}.in";
            if (blocks[i].Shortcut is not null)
            {
                Add($"block{i}.shortcut", $"block{i}.shortcut.in", null, $"block{i}.shortcut.out");
                residual = $"block{i}.shortcut.out";
            }
            Add($"block{i}.conv2", $"block{i}.hidden", residual, $"block{i}.out");
        }
        return layers;
    }

    /// <summary>
    /// Runs the TorchSharp forward of a MobileNetV2 at its active switch and records every convolution step: its input,
    /// the block input a projection adds, and its BatchNorm's output after the step's activation (ReLU6, or none for a
    /// projection, whose output is the BatchNorm plus the residual, as the block computes it).
    /// </summary>
    public static LayerInputs Capture(MobileNetV2 network, Tensor images)
    {
        var recorder = new Recorder();
        var values = recorder.Values;
        var Before = recorder.Before;
        var After = recorder.After;

        var layers = new List<(string Name, string? Residual, bool Relu6)>();
        void Layer(string name, nn.Module<Tensor, Tensor> convolution, nn.Module<Tensor, Tensor> norm, string? residual, bool relu6)
        {
            Before(convolution, $"{name}.in");
            After(norm, $"{name}.norm");
            layers.Add((name, residual, relu6));
        }
        Layer("stem", network.Stem, network.StemNorm, null, true);
        int index = 0;
        foreach (var block in network.Blocks)
        {
            string path = $"block{index++}";
            Before(block, $"{path}.block");
            if (block.Expand is { } expand) Layer($"{path}.expand", expand, block.ExpandNorm!, null, true);
            Layer($"{path}.depthwise", block.Depthwise, block.DepthwiseNorm, null, true);
            Layer($"{path}.project", block.Project, block.ProjectNorm, block.HasResidual ? $"{path}.block" : null, false);
        }
        Layer("head", network.Head, network.HeadNorm, null, true);
        using (no_grad()) network.forward(images).Dispose();
        recorder.Remove();

        int n = (int)images.shape[0];
        var result = new LayerInputs();
        foreach (var (name, residual, relu6) in layers)
        {
            using var norm = values[$"{name}.norm"];
            using var activated = relu6 ? norm.clamp(0, 6) : residual is null ? norm.alias() : norm.add(values[residual]);
            result._layers[name] = (Floats(values[$"{name}.in"]), residual is null ? null : Floats(values[residual]), Floats(activated), n);
        }
        return result;
    }

    // Copies of module inputs (pre-hooks) and outputs (hooks) by key, until Remove.
    private sealed class Recorder
    {
        private readonly List<Action> _hooks = [];

        public Dictionary<string, Tensor> Values { get; } = [];

        public void Before(nn.Module<Tensor, Tensor> module, string key)
        { var hook = module.register_forward_pre_hook((_, x) => { Values[key] = x.detach().clone().MoveToOuterDisposeScope(); return x; }); _hooks.Add(hook.remove); }

        public void After(nn.Module<Tensor, Tensor> module, string key)
        { var hook = module.register_forward_hook((_, _, y) => { Values[key] = y.detach().clone().MoveToOuterDisposeScope(); return y; }); _hooks.Add(hook.remove); }

        public void Remove() => _hooks.ForEach(remove => remove());
    }

    /// <summary>Channels-last copy of an NCHW tensor.</summary>
    private static float[] Floats(Tensor nchw)
    {
        using var nhwc = nchw.permute(0, 2, 3, 1).contiguous();
        return nhwc.data<float>().ToArray();
    }

    /// <summary>
    /// Runs <paramref name="step"/> alone on the captured input (and residual) written in the forms the step reads,
    /// and returns each of its outputs with the same forms of the captured output.
    /// </summary>
    public static IEnumerable<(ActivationForm Form, float[] Actual, float[] Expected)> RunAlone(
        InferenceLayout layout, ConvolutionStep step, (float[] Input, float[]? Residual, float[] Output, int Images) layer)
    {
        var workspace = new Workspace(layout, layer.Images);
        Write(workspace, step.Input, step.Arithmetic.InputForm, layer.Input, layer.Images);
        if (step.Stage.Residual is { } residual) Write(workspace, residual, ActivationForm.Raw, layer.Residual!, layer.Images);
        step.Run(workspace, layer.Images);
        foreach (var (form, slot) in step.Stage.Outputs)
        {
            var actual = form.IsLevels
                ? workspace.Levels(slot, layer.Images).ToArray().Select(b => (float)b).ToArray()
                : workspace.Floats(slot, layer.Images).ToArray();
            var expected = layer.Output.Select(x => form.IsLevels ? form.Quantizer!.Level(x) : form.Encode(x)).ToArray();
            yield return (form, actual, expected);
        }
    }

    private static void Write(Workspace workspace, ActivationSlot slot, ActivationForm form, float[] values, int images)
    {
        if (form.IsLevels)
        {
            var levels = workspace.Levels(slot, images);
            for (int i = 0; i < values.Length; i++) levels[i] = form.Quantizer!.Level(values[i]);
        }
        else
        {
            var floats = workspace.Floats(slot, images);
            for (int i = 0; i < values.Length; i++) floats[i] = form.Encode(values[i]);
        }
    }
}
