using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>
/// A family's map from a float activation to its unsigned integer level, written with the same float32 operations, in
/// the same order, as the family's TorchSharp forward (so a level differs only where the input does). Implemented by
/// small structs so that <see cref="ActivationLevelLoop"/> is compiled once per family with the rule inlined.
/// </summary>
internal interface IActivationLevelRule
{
    /// <summary>The largest level <c>n = 2^k - 1</c>.</summary>
    float Steps { get; }

    /// <summary>The level of <paramref name="x"/> as a float (round half to even), before the cap at <see cref="Steps"/>.</summary>
    float Level(float x);

    /// <summary>The levels of eight activations, lane by lane the operations of <see cref="Level(float)"/>, never above <see cref="Steps"/>.</summary>
    Vector256<float> Level(Vector256<float> x);

    /// <summary>The levels of sixteen activations, lane by lane the operations of <see cref="Level(float)"/>, never above <see cref="Steps"/>.</summary>
    Vector512<float> Level(Vector512<float> x);

    /// <summary>
    /// The float value of <paramref name="level"/> computed as the TorchSharp forward writes it (for example DoReFa
    /// divides by <c>n</c> where <c>level * (1/n)</c> can differ in the last bit).
    /// </summary>
    float Value(float level);
}

/// <summary>Writes the levels of an <see cref="IActivationLevelRule"/> (the loop is the family-independent part).</summary>
internal static class ActivationLevelLoop
{
    /// <summary>The byte level of <paramref name="x"/>.</summary>
    public static byte Level<TRule>(in TRule rule, float x) where TRule : struct, IActivationLevelRule =>
        (byte)Math.Min(rule.Level(x), rule.Steps);

    /// <summary>The levels of <paramref name="values"/> (element by element the same as <see cref="Level{TRule}"/>).</summary>
    public static void Write<TRule>(in TRule rule, ReadOnlySpan<float> values, Span<byte> levels) where TRule : struct, IActivationLevelRule
    {
        int i = 0;
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated && Kernels.KernelSupport.VectorsAllowed)
        {
            // Sixteen levels per vector, narrowed to bytes by one vpmovdb (the plain conversion, as LevelEpilogue).
            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32(rule.Level(Vector512.Create(values.Slice(i, 16))))).CopyTo(levels.Slice(i, 16));
        }
        if (Vector256.IsHardwareAccelerated && Kernels.KernelSupport.VectorsAllowed)
        {
            for (; i + 2 * Vector256<float>.Count <= values.Length; i += 2 * Vector256<float>.Count)
            {
                var low = rule.Level(Vector256.Create(values.Slice(i, 8)));
                var high = rule.Level(Vector256.Create(values.Slice(i + 8, 8)));
                var words = Vector256.Narrow(Vector256.ConvertToInt32(low), Vector256.ConvertToInt32(high));
                Vector256.Narrow(words, words).GetLower().AsByte().CopyTo(levels.Slice(i, 16));
            }
        }
        for (; i < values.Length; i++) levels[i] = Level(rule, values[i]);
    }
}
