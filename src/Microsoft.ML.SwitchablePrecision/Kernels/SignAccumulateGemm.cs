using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// BinaryConnect product of sign weights and float activations with additions only:
/// <c>out[m, p] = sum_k s[m, k] a[k, p]</c>, <c>s in {-1, +1}</c>; the vector variants flip each activation's sign
/// bit where the weight is negative (an XOR) and add, never multiply. Each vector lane is one output and adds in K
/// order, as the reference does, so every variant gives the same bits.
/// Layouts: <see cref="SignWeights"/> and <see cref="FloatColumns"/>. No allocation.
/// </summary>
internal static partial class SignAccumulateGemm
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    // An array field: a collection expression of an enum type behind the span would allocate on every call.
    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2];

    /// <summary>What this kernel serves: 1-bit (sign) weights with float32 activations (W1A32).</summary>
    public static bool Serves(int weightBits, int activationBits) => weightBits == 1 && activationBits == 32;

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Row ranges starting at a multiple of this never make two calls compute the same row block.</summary>
    public const int RowAlignment = SignWeights.BlockRows;

    /// <summary>Computes the block <paramref name="range"/> of the product into <paramref name="output"/>.</summary>
    public static void Multiply(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout,
        GemmRange range, KernelVariant variant = KernelVariant.Auto)
    {
        ArgumentNullException.ThrowIfNull(weights);
        activations.CheckDepth(weights.Depth);
        range.Check(weights.Rows, activations.Columns);
        layout.Check(range, output.Length);
        switch (KernelSupport.Resolve(variant, nameof(SignAccumulateGemm), Preference))
        {
            case KernelVariant.Avx512: MultiplyAvx512(weights, activations, output, layout, range); break;
            case KernelVariant.Avx2: MultiplyAvx2(weights, activations, output, layout, range); break;
            default: Reference(weights, activations, output, layout, range); break;
        }
    }

    /// <summary>The definition: adds or subtracts each activation in K order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                var masks = weights.Masks.AsSpan((m / SignWeights.BlockRows) * weights.Depth, weights.Depth);
                int bit = m % SignWeights.BlockRows;
                float sum = 0;
                for (int k = 0; k < weights.Depth; k++)
                {
                    float value = activations.Values[activations.Offset(k, p)];
                    sum += ((masks[k] >> bit) & 1) == 1 ? -value : value;
                }
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] = sum;
            }
    }
}
