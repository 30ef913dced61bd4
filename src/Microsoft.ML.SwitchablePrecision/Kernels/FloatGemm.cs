using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Float32 product <c>out[m, p] = sum_k w[m, k] a[k, p]</c> for the layers that stay full precision (stem, 1x1
/// shortcuts, classifier, W32A32). The vector variants keep a vector of rows per column and accumulate with fused
/// multiply-adds in K order, one output per lane; the reference also fuses each multiply-add
/// (<see cref="MathF.FusedMultiplyAdd"/>) in K order, so every variant gives the same bits.
/// Layouts: <see cref="FloatGemmWeights"/> and <see cref="FloatColumns"/>. No allocation.
/// </summary>
internal static partial class FloatGemm
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    // An array field: a collection expression of an enum type behind the span would allocate on every call.
    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2];

    /// <summary>What this kernel serves: Any weights with float32 activations (weights given as floats: W32A32, or quantized weights times their scale).</summary>
    public static bool Serves(int weightBits, int activationBits) => activationBits == 32;

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Row ranges starting at a multiple of this never make two calls compute the same row block.</summary>
    public const int RowAlignment = FloatGemmWeights.BlockRows;

    /// <summary>Computes the block <paramref name="range"/> of the product into <paramref name="output"/>.</summary>
    public static void Multiply(FloatGemmWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout,
        GemmRange range, KernelVariant variant = KernelVariant.Auto)
    {
        ArgumentNullException.ThrowIfNull(weights);
        activations.CheckDepth(weights.Depth);
        range.Check(weights.Rows, activations.Columns);
        layout.Check(range, output.Length);
        switch (KernelSupport.Resolve(variant, nameof(FloatGemm), Preference))
        {
            case KernelVariant.Avx512: MultiplyAvx512(weights, activations, output, layout, range); break;
            case KernelVariant.Avx2: MultiplyAvx2(weights, activations, output, layout, range); break;
            default: Reference(weights, activations, output, layout, range); break;
        }
    }

    /// <summary>The definition: a dot product in K order per output, one rounding per multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(FloatGemmWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                var row = weights.Panel.Slice(((m / FloatGemmWeights.BlockRows) * weights.Depth) * FloatGemmWeights.BlockRows + m % FloatGemmWeights.BlockRows);
                float sum = 0;
                for (int k = 0; k < weights.Depth; k++)
                    sum = MathF.FusedMultiplyAdd(row[k * FloatGemmWeights.BlockRows], activations.Values[activations.Offset(k, p)], sum);
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] = sum;
            }
    }
}
