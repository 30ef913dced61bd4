namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// How the AVX-512 variant of <see cref="ChannelMaskConvolution"/> counts bits. <see cref="ChannelMaskConvolution.Avx512FormFor{TMask}"/>
/// picks one by the kernel and the planes; tests and the benchmark that measured the choice force each.
/// </summary>
internal enum ChannelMaskAvx512Form
{
    /// <summary>Every tap's <c>popcount(w &amp; x)</c> by two nibble lookups (<c>vpshufb</c>) per plane, summed in bytes.</summary>
    NibbleLookup,

    /// <summary>
    /// The nine taps of a 3x3 kernel on one or two planes added bit-wise in carry-save form (<c>vpternlogd</c> full
    /// adders, a second plane's products entering one weight up) into ones, twos, fours, eights (and sixteens with two
    /// planes); only those four or five vectors are counted by lookup.
    /// </summary>
    CarrySave,
}
