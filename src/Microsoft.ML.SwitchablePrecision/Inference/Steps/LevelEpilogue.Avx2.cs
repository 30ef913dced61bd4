using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

internal static partial class LevelEpilogue
{
    private static bool ServesAvx2(int channels) =>
        Avx2.IsSupported && Vector256.IsHardwareAccelerated && channels % Vector256<float>.Count == 0;

    // The AVX-512 variant's loop on 256-bit vectors of 8 channels. Multiply and add stay two roundings (no FMA), as in
    // ChannelEpilogue. AVX2 has no vpmovdb: the 8 whole-number levels go through vpackssdw and vpackuswb on the two
    // 128-bit halves, whose saturation changes nothing for 0..255 and sends a NaN's 0x80000000 to 0 as the two-pass
    // write does; the low 8 bytes are stored. The clamp is the plain vmaxps / vminps, not Vector256's IEEE Max and Min
    // (several instructions each on AVX2; measured 1.2-1.5x on the whole pass): they differ only for a NaN, which
    // vmaxps(v, 0) sends to 0 where the IEEE max keeps it, and every rule takes both to level 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyAvx2<TRule>(in TRule rule, ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<byte> levels, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling) where TRule : struct, IActivationLevelRule
    {
        int channels = multiplier.Length, length = pixels * channels, width = Vector256<float>.Count;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float added = ref MemoryMarshal.GetReference(residual);
        ref byte target = ref MemoryMarshal.GetReference(levels);
        ref float scale = ref MemoryMarshal.GetArrayDataReference(multiplier);
        ref float shift = ref MemoryMarshal.GetArrayDataReference(bias);
        var top = Vector256.Create(ceiling);
        bool add = !residual.IsEmpty;
        int block = Math.Max(1, 2048 / channels) * channels;
        for (int start = 0; start < length; start += block)
        for (int c = 0; c < channels; c += width)
        {
            var m = Vector256.LoadUnsafe(ref scale, (nuint)c);
            var b = Vector256.LoadUnsafe(ref shift, (nuint)c);
            int end = Math.Min(length, start + block);
            for (int i = start + c; i < end; i += channels)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)i) * m + b;
                if (add) v += Vector256.LoadUnsafe(ref added, (nuint)i);
                if (rectify) v = Avx.Min(Avx.Max(v, Vector256<float>.Zero), top);
                var whole = Avx.ConvertToVector256Int32(rule.Level(v));
                var words = Sse2.PackSignedSaturate(whole.GetLower(), whole.GetUpper());
                var bytes = Sse2.PackUnsignedSaturate(words, words);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, i), bytes.AsUInt64().ToScalar());
            }
        }
    }
}
