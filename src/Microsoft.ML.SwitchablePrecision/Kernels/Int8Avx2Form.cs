namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// The products the AVX2 variant of <see cref="Int8Gemm"/> can use. <see cref="Int8Gemm"/> picks one by the operands'
/// range (<see cref="Int8Gemm.Avx2FormFor"/>); tests and the benchmark that measured the choice force each.
/// </summary>
internal enum Int8Avx2Form
{
    /// <summary><c>vpmaddubsw</c> pair sums widened by <c>vpmaddwd</c>: exact only for levels below 128 or <c>|w| &lt;= 64</c>.</summary>
    PairSums,

    /// <summary>
    /// <c>vpmaddubsw</c> pair sums added in int16 for <see cref="Int8Gemm.GroupedQuads"/> quads, then widened by one
    /// <c>vpmaddwd</c> per group: one multiply per 32 products. Exact under the same bound as <see cref="PairSums"/>.
    /// </summary>
    GroupedPairSums,

    /// <summary>Levels split into their low 7 bits and top bit, two exact pair sums (two <c>vpmaddubsw</c> + two <c>vpmaddwd</c> per 32 products).</summary>
    SplitPairSums,

    /// <summary>Weights and levels widened to int16 in registers, one <c>vpmaddwd</c> per 16 products: exact for any s8 x u8.</summary>
    Words,
}
