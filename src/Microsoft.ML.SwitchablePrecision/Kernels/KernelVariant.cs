using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// Which implementation of a GEMM kernel runs. <see cref="Auto"/> picks the fastest one the CPU supports
/// (AVX-512BW, then AVX2, then portable scalar code; AVX-VNNI before AVX2 for int8); the others force one, so tests
/// can compare every variant on one machine. A kernel throws if a forced variant is not supported here or is not one
/// it implements (see each kernel's <c>Variants</c>).
/// </summary>
internal enum KernelVariant
{
    /// <summary>The fastest variant this CPU supports.</summary>
    Auto,

    /// <summary>The plain scalar loop straight from the formula: the definition every other variant must equal.</summary>
    Reference,

    /// <summary>Register-blocked portable scalar code (64-bit <c>popcnt</c> for the bit-serial kernel).</summary>
    Scalar,

    /// <summary>256-bit vectors: AVX2 (plus FMA for float kernels).</summary>
    Avx2,

    /// <summary>512-bit vectors: AVX-512F and AVX-512BW.</summary>
    Avx512,

    /// <summary>256-bit AVX-VNNI <c>vpdpbusd</c> (int8 only).</summary>
    AvxVnni,
}

/// <summary>CPU support of each <see cref="KernelVariant"/>, read once from the runtime's <c>IsSupported</c> flags.</summary>
internal static class KernelSupport
{
    // Per thread, so a test that forces the portable path never changes what concurrent tests run.
    [ThreadStatic]
    private static bool t_portableOnly;

    /// <summary>
    /// False while the calling thread runs inside <see cref="PortableOnly"/>: vectorised code (kernels and the plan's
    /// other hot loops) must then take its portable scalar path, as on a CPU without AVX2 or AVX-512.
    /// </summary>
    public static bool VectorsAllowed => !t_portableOnly;

    /// <summary>
    /// Until the returned scope is disposed, <see cref="KernelVariant.Auto"/> resolves on the calling thread to the
    /// kernel's portable scalar variant (or its reference where it has none) and <see cref="VectorsAllowed"/> is false:
    /// what a CPU without x86 vector extensions (or an ARM64 one) runs. Forced variants are unaffected.
    /// </summary>
    public static PortableScope PortableOnly()
    {
        bool previous = t_portableOnly;
        t_portableOnly = true;
        return new PortableScope(previous);
    }

    [ThreadStatic]
    private static bool t_withoutVnni;

    /// <summary>
    /// Until the returned scope is disposed, the calling thread sees no AVX-VNNI (<see cref="IsSupported"/> is false
    /// for <see cref="KernelVariant.AvxVnni"/>): what a CPU with AVX2 but without VNNI runs, so that its int8 forms and
    /// selections can be tested on any AVX2 machine.
    /// </summary>
    public static VnniScope WithoutVnni()
    {
        bool previous = t_withoutVnni;
        t_withoutVnni = true;
        return new VnniScope(previous);
    }

    /// <summary>Restores the calling thread's previous view of AVX-VNNI.</summary>
    public readonly struct VnniScope(bool previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_withoutVnni = previous;
    }

    /// <summary>Restores the calling thread's previous kernel selection.</summary>
    public readonly struct PortableScope(bool previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_portableOnly = previous;
    }

    /// <summary>True when <paramref name="variant"/> can run on this CPU (Reference, Scalar and Auto always can).</summary>
    public static bool IsSupported(KernelVariant variant) => variant switch
    {
        KernelVariant.Auto or KernelVariant.Reference or KernelVariant.Scalar => true,
        KernelVariant.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        KernelVariant.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported,
        KernelVariant.AvxVnni => AvxVnni.IsSupported && !t_withoutVnni,
        _ => false,
    };

    /// <summary>
    /// Resolves <see cref="KernelVariant.Auto"/> to the first supported entry of <paramref name="preference"/> (fastest
    /// first) and checks a forced variant, naming the kernel and the variants it has.
    /// </summary>
    public static KernelVariant Resolve(KernelVariant requested, string kernel, ReadOnlySpan<KernelVariant> preference)
    {
        if (requested == KernelVariant.Auto && t_portableOnly)
            return preference.Contains(KernelVariant.Scalar) ? KernelVariant.Scalar : KernelVariant.Reference;
        if (requested == KernelVariant.Auto) return Fastest(preference);
        bool implemented = requested == KernelVariant.Reference || preference.Contains(requested);
        if (!implemented)
            throw new ArgumentException(
                $"{kernel} has no {requested} variant: expected Auto, Reference or one of {string.Join(", ", preference.ToArray())}.",
                "variant");
        if (!IsSupported(requested))
            throw new PlatformNotSupportedException($"{kernel}: the {requested} variant needs CPU features this machine lacks.");
        return requested;
    }

    /// <summary>
    /// The first entry of <paramref name="preference"/> this CPU supports, Reference if none: what Auto resolves to
    /// outside <see cref="PortableOnly"/> (what selections measured per variant go by).
    /// </summary>
    public static KernelVariant Fastest(ReadOnlySpan<KernelVariant> preference)
    {
        foreach (var candidate in preference)
            if (IsSupported(candidate)) return candidate;
        return KernelVariant.Reference;
    }

    /// <summary>The variants of a kernel that run on this CPU, Reference first (what tests iterate over).</summary>
    public static KernelVariant[] Supported(ReadOnlySpan<KernelVariant> preference)
    {
        var list = new List<KernelVariant> { KernelVariant.Reference };
        foreach (var candidate in preference)
            if (IsSupported(candidate)) list.Add(candidate);
        return [.. list];
    }

    /// <summary>CPU features that matter to the kernels, for benchmark headers.</summary>
    public static string Describe() =>
        $"Popcnt {Yes(Popcnt.X64.IsSupported)}, AVX2 {Yes(Avx2.IsSupported)}, FMA {Yes(Fma.IsSupported)}, " +
        $"AVX-512F {Yes(Avx512F.IsSupported)}, AVX-512BW {Yes(Avx512BW.IsSupported)}, AVX-VNNI {Yes(AvxVnni.IsSupported)}";

    private static string Yes(bool value) => value ? "yes" : "no";
}
