namespace Microsoft.ML.SwitchablePrecision.Inference.Execution;

/// <summary>Scratch elements a step needs for one call, by element type.</summary>
internal readonly record struct ScratchSize(long Floats = 0, long Bytes = 0, long Words = 0, long Integers = 0)
{
    /// <summary>The element-wise maximum: scratch is reused from step to step.</summary>
    public ScratchSize Max(ScratchSize other) => new(Math.Max(Floats, other.Floats), Math.Max(Bytes, other.Bytes),
        Math.Max(Words, other.Words), Math.Max(Integers, other.Integers));
}
