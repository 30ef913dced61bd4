using Microsoft.ML.SwitchablePrecision.Modules;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// The parameters and buffers a quantizer family keeps for one quantized tensor of one layer, under the names the owning
/// module registers them with, in registration order. Saved models rely on these names (<c>alpha_{i}</c>,
/// <c>step_{i}</c>, <c>step_initialized</c>): a family must never rename them.
/// </summary>
internal abstract class QuantizerState
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Tensor Buffer)> _buffers = [];

    /// <summary>The parameters to register, with their names.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>The buffers to register, with their names.</summary>
    public IReadOnlyList<(string Name, Tensor Buffer)> Buffers => _buffers;

    /// <summary>Registers every parameter and buffer, in order, through the owning module's registration methods.</summary>
    public void RegisterWith(Action<string, Parameter> registerParameter, Action<string, Tensor> registerBuffer)
    {
        foreach (var (name, parameter) in _parameters) registerParameter(name, parameter);
        foreach (var (name, buffer) in _buffers) registerBuffer(name, buffer);
    }

    /// <summary>
    /// One scalar parameter <c>{prefix}_{i}</c> per switch <c>i</c> whose bit width (<paramref name="bitsOf"/>) is below
    /// 32, starting at <paramref name="initial"/> of that width; null at 32-bit switches.
    /// </summary>
    protected Parameter?[] PerSwitch(SwitchContext context, Func<Precision, int> bitsOf, string prefix, Func<int, float> initial)
    {
        var perSwitch = new Parameter?[context.Switches.Count];
        for (int i = 0; i < perSwitch.Length; i++)
        {
            int bits = bitsOf(context.Switches[i]);
            if (UniformLevels.IsFullPrecision(bits)) continue;
            var parameter = new Parameter(tensor(initial(bits)));
            _parameters.Add(($"{prefix}_{i}", parameter));
            perSwitch[i] = parameter;
        }
        return perSwitch;
    }

    /// <summary>Adds a buffer registered as <paramref name="name"/>.</summary>
    protected Tensor Buffer(string name, Tensor buffer)
    {
        _buffers.Add((name, buffer));
        return buffer;
    }

    /// <summary>The value of a single-element tensor.</summary>
    protected static float Value(Tensor scalar)
    {
        using var detached = scalar.detach();
        return detached.item<float>();
    }
}
