namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// How the AVX-512 variant of <see cref="BitSerialGemm"/> counts bits. <see cref="BitSerialGemm.Avx512FormFor"/> picks one
/// by the depth; tests and the benchmark that measured the choice force each.
/// </summary>
internal enum BitSerialAvx512Form
{
    /// <summary>Every word's <c>popcount(w &amp; x)</c> by two nibble lookups (<c>vpshufb</c>), summed in bytes.</summary>
    NibbleLookup,

    /// <summary>
    /// Words added bit-wise in carry-save form (Harley-Seal: <c>vpternlogq</c> full adders into ones, twos, fours, eights),
    /// so that only one vector in 16 words is counted by lookup; remaining words by lookup.
    /// </summary>
    CarrySave,
}
