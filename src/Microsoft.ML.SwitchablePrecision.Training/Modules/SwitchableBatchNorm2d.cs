using Microsoft.ML.SwitchablePrecision.Native;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// One BatchNorm2d (affine parameters and running statistics) per switch; a forward pass uses only the active
/// switch's, so training one switch never changes another switch's statistics. Parameters are named
/// <c>bn.{switch index}.weight</c>, <c>.bias</c>, <c>.running_mean</c>, <c>.running_var</c>, <c>.num_batches_tracked</c>.
/// </summary>
public sealed class SwitchableBatchNorm2d : ExplicitlyRegisteredModule
{
    private readonly SwitchContext _context;
    private readonly ModuleList<BatchNorm2d> _norms;

    /// <summary>Creates the per-switch normalisations of <paramref name="channels"/> channels.</summary>
    public SwitchableBatchNorm2d(string name, SwitchContext context, long channels) : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be positive.");
        _context = context;
        Channels = channels;
        _norms = new ModuleList<BatchNorm2d>(
            Enumerable.Range(0, context.Switches.Count).Select(_ => nn.BatchNorm2d(channels)).ToArray());
        register_module("bn", _norms);
    }

    /// <summary>Number of normalised channels.</summary>
    public long Channels { get; }

    /// <summary>The BatchNorm of switch <paramref name="switchIndex"/>.</summary>
    public BatchNorm2d ForSwitch(int switchIndex) => _norms[switchIndex];

    /// <summary>Normalises with the active switch's BatchNorm.</summary>
    public override Tensor forward(Tensor input)
    {
        var norm = _norms[_context.ActiveIndex];
        if (!norm.training || !norm.track_running_stats || norm.num_batches_tracked is null) return norm.forward(input);
        // BatchNorm2d.forward in training counts the batch with an implicit Scalar, which TorchSharp 0.107 can let the
        // GC free while libtorch reads it (TorchScalars); the same computation with a Scalar that stays reachable.
        norm.num_batches_tracked.add_(TorchScalars.One, TorchScalars.One);
        double factor = norm.momentum ?? 1.0 / (double)norm.num_batches_tracked;
        return nn.functional.batch_norm(input, norm.running_mean, norm.running_var, norm.weight, norm.bias, true, factor, norm.eps);
    }
}
