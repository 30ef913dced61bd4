using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// A network whose latent full-precision weights are shared by several quantization switches. The forward
/// pass takes a batch of images <c>[N, C, H, W]</c> (raw pixel values; the network normalises them with
/// <see cref="NetworkOptions.InputMean"/> and <see cref="NetworkOptions.InputStd"/>) and returns class logits
/// <c>[N, Classes]</c> computed at <see cref="ActivePrecision"/>.
/// </summary>
public abstract class SwitchableNetwork : ExplicitlyRegisteredModule
{
    /// <summary>Creates the base of a network built with <paramref name="options"/>.</summary>
    /// <exception cref="TorchSharpLoadException">TorchSharp's native libraries cannot be loaded.</exception>
    protected SwitchableNetwork(string name, NetworkOptions options) : base(TorchSharpRuntime.EnsureAvailable(name))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Context = new SwitchContext(options.Switches) { ClipFullPrecisionActivations = options.ClipFullPrecisionActivations };
        if (options.InputMean.Count > 0 || options.InputStd.Count > 0)
        {
            var shape = new long[] { 1, options.InputChannels, 1, 1 };
            _inputMean = ChannelTensor(options.InputMean, 0f, options.InputChannels, shape);
            _inputStd = ChannelTensor(options.InputStd, 1f, options.InputChannels, shape);
        }
    }

    // Cached once: normalising must not allocate constants on every forward pass.
    private readonly Tensor? _inputMean;
    private readonly Tensor? _inputStd;

    /// <summary>The options the network was built with (enough to rebuild it).</summary>
    public NetworkOptions Options { get; }

    /// <summary>The shared switch state every layer of the network reads.</summary>
    public SwitchContext Context { get; }

    /// <summary>The switches of the network.</summary>
    public IReadOnlyList<Precision> Switches => Context.Switches;

    /// <summary>The switch the next forward pass computes. Setting it is O(1).</summary>
    public Precision ActivePrecision
    {
        get => Context.Active;
        set => Context.Active = value;
    }

    /// <summary>
    /// Whether inference may run the exact packed binary kernels: convolutions with 1-bit DoReFa weights and 1- to
    /// 8-bit DoReFa activations, in evaluation mode without gradients, on small batches (batch times activation bits
    /// at most 8, where they are faster), compute with AND and popcount on bit planes instead of simulating the
    /// quantization in float32. The output equals the simulated one up to float rounding.
    /// Default <c>true</c>; set <c>false</c> to force the simulated path, for example to compare the two.
    /// </summary>
    public bool UsePackedKernels
    {
        get => Context.UsePackedKernels;
        set => Context.UsePackedKernels = value;
    }

    /// <summary>
    /// The compiled inference plans of this network, one per switch, built on first use from the current weights.
    /// Entering training mode or loading weights replaces the cache, so a plan never outlives the weights it was
    /// compiled from (see <see cref="Inference.InferencePlanCache"/>).
    /// </summary>
    public Inference.InferencePlanCache Plans => Volatile.Read(ref _plans) ?? InitialPlans();

    private Inference.InferencePlanCache? _plans;

    private Inference.InferencePlanCache InitialPlans()
    {
        Interlocked.CompareExchange(ref _plans, new Inference.InferencePlanCache(this), null);
        return _plans!;
    }

    /// <summary>Drops every compiled plan: the weights, statistics or quantizer parameters are about to change.</summary>
    internal void InvalidatePlans() => Volatile.Write(ref _plans, new Inference.InferencePlanCache(this));

    /// <summary>Sets training or evaluation mode; entering training drops the compiled inference plans.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        if (train) InvalidatePlans();
    }

    /// <summary>All trainable parameters, including every switch's BatchNorm affine and quantizer parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// The weight layers (every <see cref="QuantizedConv2d"/> and <see cref="QuantizedLinear"/>) in the order the forward
    /// pass calls them, with their sizes and which parts a switch quantizes, named by their module path
    /// (<c>layer2.0.conv1</c>). The first call traces one forward pass of a blank image (without gradients, in evaluation
    /// mode, on the float path; the mode is restored), so it must not run while the same network computes elsewhere;
    /// later calls return the same list. Networks built from other layers override it.
    /// </summary>
    /// <exception cref="InvalidOperationException">A registered weight layer is never called by the forward pass.</exception>
    public virtual IReadOnlyList<LayerCost> DescribeLayers()
    {
        lock (_layersGate)
            return _layers ??= LayerTrace.Collect(this, training => base.train(training));
    }

    // The layer costs depend only on the structure and the options, which never change after construction.
    private readonly object _layersGate = new();
    private IReadOnlyList<LayerCost>? _layers;

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="images"/> is <c>[N, InputChannels, H, W]</c> float32.</summary>
    protected void CheckInput(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Dimensions != 4 || images.shape[1] != Options.InputChannels)
            throw new ArgumentException(
                $"Input images have shape [{string.Join(", ", images.shape)}]: expected [batch, {Options.InputChannels}, height, width].", nameof(images));
        if (images.dtype != ScalarType.Float32)
            throw new ArgumentException($"Input images are {images.dtype}: expected Float32.", nameof(images));
    }

    /// <summary>Applies the stored per-channel input normalisation.</summary>
    protected Tensor NormalizeInput(Tensor images) =>
        _inputMean is null || _inputStd is null ? images.alias() : images.sub(_inputMean).div_(_inputStd);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inputMean?.Dispose();
            _inputStd?.Dispose();
        }
        base.Dispose(disposing);
    }

    private static Tensor ChannelTensor(IReadOnlyList<float> values, float fallback, int channels, long[] shape)
    {
        var data = values.Count == 0 ? Enumerable.Repeat(fallback, channels).ToArray() : values.ToArray();
        return tensor(data, shape);
    }
}
