using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// BinaryConnect product <c>out[m, p] = sum_k s[m, k] a[k, p]</c>, <c>s in {-1, +1}</c>, at the speed of the float
/// microkernel with the weights kept as bits (<see cref="SignWeights"/>): per block of 16 rows the sign bits are
/// expanded into a <c>16 x K</c> panel of <c>±1.0f</c> in the layout of <see cref="FloatGemmWeights"/> (in a
/// caller's scratch of <see cref="PanelLength"/> floats), and <see cref="FloatGemm"/>'s microkernel runs over every
/// column of the range on it, so one expansion serves all the columns.
/// <para>
/// Exactness: <c>fma(±1, x, s)</c> rounds <c>s ± x</c> once, as the add or subtract of
/// <see cref="SignAccumulateGemm.Reference"/> does, and each lane still accumulates one output in K order, so every
/// variant gives the same bits as <see cref="SignAccumulateGemm.Reference"/>.
/// </para>
/// Layouts: <see cref="SignWeights"/> and <see cref="FloatColumns"/>. No allocation.
/// </summary>
internal static partial class SignPanelGemm
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    // An array field: a collection expression of an enum type behind the span would allocate on every call.
    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.Avx512, KernelVariant.Avx2];

    /// <summary>What this kernel serves: 1-bit (sign) weights with float32 activations (W1A32).</summary>
    public static bool Serves(int weightBits, int activationBits) => SignAccumulateGemm.Serves(weightBits, activationBits);

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>True when Auto resolves to an expanding (vector) variant on the calling thread.</summary>
    public static bool Vectorised => KernelSupport.Resolve(KernelVariant.Auto, nameof(SignPanelGemm), Preference) != KernelVariant.Reference;

    /// <summary>Row ranges starting at a multiple of this never make two calls compute the same row block.</summary>
    public const int RowAlignment = SignWeights.BlockRows;

    // Floats of slack in front of the panel, so that it can start on a 64-byte boundary (split loads are slow).
    private const int AlignmentSlack = 64 / sizeof(float);

    /// <summary>Floats of panel scratch a call on weights of depth <paramref name="depth"/> needs.</summary>
    public static int PanelLength(int depth) => checked(SignWeights.BlockRows * depth + AlignmentSlack);

    /// <summary>
    /// Computes the block <paramref name="range"/> of the product into <paramref name="output"/> (overwritten), using
    /// <paramref name="panel"/> (at least <see cref="PanelLength"/> floats, contents ignored) for the expanded signs.
    /// Auto without a vector variant (or inside <see cref="KernelSupport.PortableOnly"/>) runs
    /// <see cref="SignAccumulateGemm"/>'s portable path, which gives the same bits.
    /// </summary>
    public static void Multiply(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout,
        GemmRange range, Span<float> panel, KernelVariant variant = KernelVariant.Auto)
    {
        ArgumentNullException.ThrowIfNull(weights);
        activations.CheckDepth(weights.Depth);
        range.Check(weights.Rows, activations.Columns);
        layout.Check(range, output.Length);
        if (panel.Length < PanelLength(weights.Depth))
            throw new ArgumentException(
                $"panel holds {panel.Length} floats; expected at least {PanelLength(weights.Depth)} (PanelLength of depth {weights.Depth}).", nameof(panel));
        switch (KernelSupport.Resolve(variant, nameof(SignPanelGemm), Preference))
        {
            case KernelVariant.Avx512: MultiplyAvx512(weights, activations, output, layout, range, panel); break;
            case KernelVariant.Avx2: MultiplyAvx2(weights, activations, output, layout, range, panel); break;
            default:
                if (variant == KernelVariant.Reference) Reference(weights, activations, output, layout, range);
                else SignAccumulateGemm.Multiply(weights, activations, output, layout, range);
                break;
        }
    }

    /// <summary>The definition: a fused multiply-add by <c>±1</c> in K order per output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(SignWeights weights, FloatColumns activations, Span<float> output, OutputLayout layout, GemmRange range)
    {
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                float sum = 0;
                for (int k = 0; k < weights.Depth; k++)
                    sum = MathF.FusedMultiplyAdd(weights.Sign(m, k), activations.Values[activations.Offset(k, p)], sum);
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] = sum;
            }
    }
}
