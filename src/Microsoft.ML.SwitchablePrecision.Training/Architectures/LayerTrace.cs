using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// Collects the layer costs of a network from one forward pass of a blank image: a pre-forward hook on every
/// <see cref="QuantizedConv2d"/> and <see cref="QuantizedLinear"/> of the module tree records the layer's path and its
/// cost for the input it receives, so the report follows the forward pass instead of a second description of it.
/// </summary>
internal static class LayerTrace
{
    /// <summary>
    /// The weight layers of <paramref name="network"/> in the order its forward pass calls them. Runs one image
    /// <c>[1, C, H, W]</c> without gradients, in evaluation mode, on the float path, at the active switch, and restores
    /// the mode and kernel choice afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">A weight layer of the module tree is never called by the forward pass.</exception>
    public static IReadOnlyList<LayerCost> Collect(SwitchableNetwork network, Action<bool> setTraining)
    {
        var layers = new List<LayerCost>();
        var paths = WeightLayers(network);
        var hooks = paths.Select(entry => Hook(entry.Key, entry.Value, layers)).ToList();
        bool training = network.training, packed = network.UsePackedKernels;
        try
        {
            setTraining(false);
            network.UsePackedKernels = false;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var options = network.Options;
            network.call(zeros(1, options.InputChannels, options.Height, options.Width));
        }
        finally
        {
            network.UsePackedKernels = packed;
            setTraining(training);
            foreach (var remove in hooks) remove();
        }
        var missed = paths.Values.Where(path => !layers.Any(layer => layer.Name == path)).ToArray();
        if (missed.Length > 0)
            throw new InvalidOperationException(
                $"The forward pass of {network.GetType().Name} never calls {string.Join(", ", missed)}: every weight layer registered in a network must be used.");
        return layers;
    }

    private static Dictionary<nn.Module, string> WeightLayers(SwitchableNetwork network)
    {
        var paths = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in network.named_modules())
            if (module is QuantizedConv2d or QuantizedLinear) paths.TryAdd(module, name);
        return paths;
    }

    private static Action Hook(nn.Module module, string path, List<LayerCost> layers)
    {
        switch (module)
        {
            case QuantizedConv2d convolution:
                return convolution.register_forward_pre_hook((_, input) =>
                {
                    layers.Add(convolution.Describe(path, input.shape[2], input.shape[3]));
                    return null!;
                }).remove;
            case QuantizedLinear linear:
                return linear.register_forward_pre_hook((_, _) =>
                {
                    layers.Add(linear.Describe(path));
                    return null!;
                }).remove;
            default:
                throw new ArgumentException($"{path} is not a weight layer.", nameof(module));
        }
    }
}
