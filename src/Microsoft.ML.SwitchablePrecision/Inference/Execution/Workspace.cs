using Microsoft.ML.SwitchablePrecision.Inference.Layout;

namespace Microsoft.ML.SwitchablePrecision.Inference.Execution;

/// <summary>
/// The memory one thread needs to run a plan on up to <see cref="Images"/> images at a time: the activation buffers
/// the plan's layout pass assigned, the accumulators and the scratch of the largest step. Owned by one thread at a
/// time (rented from <see cref="WorkspacePool"/>); allocated once, so a steady-state prediction allocates nothing.
/// </summary>
internal sealed class Workspace
{
    private readonly float[][] _floats;
    private readonly byte[][] _levels;
    private readonly float[] _accumulators;
    private readonly float[] _floatScratch;
    private readonly byte[] _byteScratch;
    private readonly ulong[] _wordScratch;
    private readonly int[] _integerScratch;

    public Workspace(InferenceLayout layout, int images)
    {
        Images = images;
        _floats = layout.FloatBuffers.Select(n => new float[n * images]).ToArray();
        _levels = layout.LevelBuffers.Select(n => new byte[n * images]).ToArray();
        _accumulators = new float[layout.AccumulatorsPerImage * images];
        var scratch = layout.ScratchFor(images);
        _floatScratch = new float[scratch.Floats];
        _byteScratch = new byte[scratch.Bytes];
        _wordScratch = new ulong[scratch.Words];
        _integerScratch = new int[scratch.Integers];
    }

    /// <summary>Most images one call may process.</summary>
    public int Images { get; }

    /// <summary>The float slot's values for <paramref name="images"/> images.</summary>
    public Span<float> Floats(ActivationSlot slot, int images) => _floats[slot.Buffer].AsSpan(0, slot.PerImage * images);

    /// <summary>The level slot's bytes for <paramref name="images"/> images.</summary>
    public Span<byte> Levels(ActivationSlot slot, int images) => _levels[slot.Buffer].AsSpan(0, slot.PerImage * images);

    /// <summary>The first <paramref name="count"/> accumulators.</summary>
    public Span<float> Accumulators(int count) => _accumulators.AsSpan(0, count);

    /// <summary>The first <paramref name="count"/> float scratch elements.</summary>
    public Span<float> FloatScratch(int count) => _floatScratch.AsSpan(0, count);

    /// <summary>The first <paramref name="count"/> byte scratch elements.</summary>
    public Span<byte> ByteScratch(int count) => _byteScratch.AsSpan(0, count);

    /// <summary>The first <paramref name="count"/> 64-bit scratch words.</summary>
    public Span<ulong> WordScratch(int count) => _wordScratch.AsSpan(0, count);

    /// <summary>The first <paramref name="count"/> integer scratch elements.</summary>
    public Span<int> IntegerScratch(int count) => _integerScratch.AsSpan(0, count);
}
