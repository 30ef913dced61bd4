namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// The switch list of one network and which switch is active. Every switchable layer of the network holds the
/// same instance and reads <see cref="ActiveIndex"/> at each forward pass, so changing the switch is one integer
/// write: no weights are copied and nothing is allocated.
/// </summary>
public sealed class SwitchContext
{
    private int _activeIndex;
    private volatile bool _usePackedKernels = true;
    private volatile bool _fullPrecisionOverride;
    private volatile int _packedBatchBitsLimit = DefaultPackedBatchBitsLimit;
    private long _packedConvolutions;

    /// <summary>Creates a context over <paramref name="switches"/>; the last one is active.</summary>
    /// <exception cref="ArgumentException">The list is empty or has duplicates.</exception>
    public SwitchContext(IReadOnlyList<Precision> switches)
    {
        ArgumentNullException.ThrowIfNull(switches);
        SwitchList.Check(switches, nameof(switches));
        Switches = switches.ToArray();
        _activeIndex = Switches.Count - 1;
    }

    /// <summary>The switches in the order the network was built with (the index of a switch is its BatchNorm slot).</summary>
    public IReadOnlyList<Precision> Switches { get; }

    /// <summary>Whether layer inputs are clipped to [0, 1] at 32-bit activation switches (see <see cref="Architectures.NetworkOptions.ClipFullPrecisionActivations"/>).</summary>
    public bool ClipFullPrecisionActivations { get; init; }

    /// <summary>
    /// While true, every quantizer passes its operand on unchanged (no clip either), so a forward pass computes the
    /// plain full-precision network with the active switch's BatchNorm: the trainer's full-precision warm start
    /// (<see cref="Training.TrainerOptions.FullPrecisionWarmStart"/>) sets it for its first steps. False by default.
    /// </summary>
    internal bool FullPrecisionOverride
    {
        get => _fullPrecisionOverride;
        set => _fullPrecisionOverride = value;
    }

    /// <summary>Index into <see cref="Switches"/> of the switch the next forward pass computes.</summary>
    public int ActiveIndex
    {
        get => Volatile.Read(ref _activeIndex);
        set
        {
            if ((uint)value >= (uint)Switches.Count)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Switch index must be 0 to {Switches.Count - 1}.");
            Volatile.Write(ref _activeIndex, value);
        }
    }

    /// <summary>The active switch.</summary>
    public Precision Active
    {
        get => Switches[ActiveIndex];
        set => ActiveIndex = IndexOf(value);
    }

    /// <summary>
    /// Whether eligible convolutions run the exact packed binary kernels at inference (see
    /// <see cref="QuantizedConv2d"/>); true by default. Read by every layer at each forward pass.
    /// </summary>
    internal bool UsePackedKernels
    {
        get => _usePackedKernels;
        set => _usePackedKernels = value;
    }

    /// <summary>
    /// Default of <see cref="PackedBatchBitsLimit"/>. The packed kernel's cost grows with batch times activation bits
    /// while oneDNN's float convolution gets cheaper per image on a batch; on whole ResNet-20 passes (1 thread) packed
    /// won at W1A1 up to batch 8, at W1A2 up to batch 4 and at W1A4 up to batch 2, and lost beyond (docs/kernels.md).
    /// </summary>
    internal const int DefaultPackedBatchBitsLimit = 8;

    /// <summary>A convolution runs packed only when its batch times the activation bits is at most this.</summary>
    internal int PackedBatchBitsLimit
    {
        get => _packedBatchBitsLimit;
        set => _packedBatchBitsLimit = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The batch-times-bits limit must be 0 or more.");
    }

    /// <summary>How many convolution calls of this network took the packed path so far.</summary>
    internal long PackedConvolutions => Interlocked.Read(ref _packedConvolutions);

    internal void CountPackedConvolution() => Interlocked.Increment(ref _packedConvolutions);

    /// <summary>Returns the index of <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The network was not built with that switch; the message lists the valid ones.</exception>
    public int IndexOf(Precision precision)
    {
        for (int i = 0; i < Switches.Count; i++)
            if (Switches[i] == precision) return i;
        throw new ArgumentOutOfRangeException(nameof(precision), precision.ToString(),
            $"Switch {precision} is not one of this network's switches: {string.Join(", ", Switches)}.");
    }
}
