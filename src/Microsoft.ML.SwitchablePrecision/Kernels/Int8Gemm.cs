using System.Runtime.CompilerServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Exact int32 product of signed 8-bit weights and unsigned 8-bit activation levels:
/// <c>out[m, p] = sum_k w[m, k] q[k, p]</c>, for 3- to 8-bit switches. The AVX-VNNI variant is one <c>vpdpbusd</c>
/// (u8 x s8, four products summed into each int32 lane) per quad of K and block of 8 rows. The AVX2 variant uses
/// <c>vpmaddubsw</c>, whose 16-bit pair sums saturate above 32767: they are exact when <c>q &lt;= 127</c> or
/// <c>|w| &lt;= 64</c>; otherwise both operands are widened to int16 and multiplied by <c>vpmaddwd</c>
/// (<see cref="Int8Avx2Form"/>). Layouts: <see cref="Int8Weights"/> and <see cref="ByteColumns"/>; the activation
/// columns must hold <see cref="Int8Weights.PaddedDepth"/> bytes. No allocation.
/// </summary>
internal static partial class Int8Gemm
{
    /// <summary>Variants besides Reference, fastest first (what Auto tries).</summary>
    public static ReadOnlySpan<KernelVariant> Preference => PreferenceOrder;

    // An array field: a collection expression of an enum type behind the span would allocate on every call.
    private static readonly KernelVariant[] PreferenceOrder = [KernelVariant.AvxVnni, KernelVariant.Avx2, KernelVariant.Scalar];

    /// <summary>What this kernel serves: Integer weights of up to 8 bits with activation levels of up to 8 bits (meant for 3 to 8 bits).</summary>
    public static bool Serves(int weightBits, int activationBits) => weightBits is >= 1 and <= 8 && activationBits is >= 1 and <= 8;

    /// <summary>The variants that run on this CPU, Reference first.</summary>
    public static KernelVariant[] Variants => KernelSupport.Supported(Preference);

    /// <summary>Row ranges starting at a multiple of this never make two calls compute the same row block.</summary>
    public const int RowAlignment = 16;

    /// <summary>Computes the block <paramref name="range"/> of the product into <paramref name="output"/>.</summary>
    public static void Multiply(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout,
        GemmRange range, KernelVariant variant = KernelVariant.Auto)
    {
        Check(weights, activations, output.Length, layout, range);
        switch (KernelSupport.Resolve(variant, nameof(Int8Gemm), Preference))
        {
            case KernelVariant.AvxVnni: MultiplyVnni(weights, activations, output, layout, range); break;
            case KernelVariant.Avx2: MultiplyAvx2(weights, activations, output, layout, range); break;
            case KernelVariant.Scalar: MultiplyScalar(weights, activations, output, layout, range); break;
            default: Reference(weights, activations, output, layout, range); break;
        }
    }

    private static void Check(Int8Weights weights, ByteColumns activations, int outputLength, OutputLayout layout, GemmRange range)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (activations.IsGathered ? activations.QuadOffsets.Length < weights.Quads : activations.ColumnStride < weights.PaddedDepth)
            throw new ArgumentException(
                $"activation columns have stride {activations.ColumnStride} ({activations.QuadOffsets.Length} gathered quads); the weights read {weights.PaddedDepth} bytes per column (depth {weights.Depth} padded to a multiple of 4).",
                nameof(activations));
        range.Check(weights.Rows, activations.Columns);
        layout.Check(range, outputLength);
    }

    /// <summary>The definition, reading the weights back from the panel; throws on a level of <c>2^Bits</c> or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(Int8Weights weights, ByteColumns activations, Span<int> output, OutputLayout layout, GemmRange range)
    {
        int limit = 1 << activations.Bits;
        const int quadBytes = Int8Weights.BlockRows * Int8Weights.QuadSize;
        ReadOnlySpan<sbyte> panel = weights.Panel;
        for (int m = range.RowStart; m < range.RowEnd; m++)
            for (int p = range.ColumnStart; p < range.ColumnEnd; p++)
            {
                int row = weights.Index(m, 0), sum = 0;
                for (int k = 0; k < weights.Depth; k++)
                {
                    int q = activations.Levels[activations.Offset(k, p)];
                    if (q >= limit)
                        throw new ArgumentException(
                            $"activation level [{k}, {p}] is {q}; expected a {activations.Bits}-bit level below {limit}.", nameof(activations));
                    sum += panel[row + (k >> 2) * quadBytes + (k & 3)] * q;
                }
                output[(m - range.RowStart) * layout.RowStride + (p - range.ColumnStart) * layout.ColumnStride] = sum;
            }
    }
}
