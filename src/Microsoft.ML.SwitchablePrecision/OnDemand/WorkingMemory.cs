using Microsoft.ML.SwitchablePrecision.Inference;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>The working memory of one prediction on a compiled plan: what its workspace allocates for one image.</summary>
internal static class WorkingMemory
{
    /// <summary>Bytes of activation buffers, accumulators and the largest step's scratch for a batch-1 call.</summary>
    public static long PeakBytes(InferencePlan plan)
    {
        var layout = plan.Layout;
        var scratch = layout.ScratchFor(1);
        return layout.FloatBuffers.Sum(n => (long)n) * sizeof(float) + layout.LevelBuffers.Sum(n => (long)n)
            + (long)layout.AccumulatorsPerImage * sizeof(float)
            + scratch.Floats * sizeof(float) + scratch.Bytes + scratch.Words * sizeof(ulong) + scratch.Integers * sizeof(int);
    }
}
