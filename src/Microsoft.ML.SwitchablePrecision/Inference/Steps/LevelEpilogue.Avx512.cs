using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

internal static partial class LevelEpilogue
{
    private static bool ServesAvx512(int channels) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && channels % Vector512<float>.Count == 0;

    // 512-bit vectors of 16 channels, each narrowed to 16 bytes by one vpmovdb.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyAvx512<TRule>(in TRule rule, ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<byte> levels, int pixels,
        float[] multiplier, float[] bias, bool rectify, float ceiling) where TRule : struct, IActivationLevelRule
    {
        int channels = multiplier.Length, length = pixels * channels, width = Vector512<float>.Count;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float added = ref MemoryMarshal.GetReference(residual);
        ref byte target = ref MemoryMarshal.GetReference(levels);
        ref float scale = ref MemoryMarshal.GetArrayDataReference(multiplier);
        ref float shift = ref MemoryMarshal.GetArrayDataReference(bias);
        var top = Vector512.Create(ceiling);
        bool add = !residual.IsEmpty;
        // Blocks of a few thousand values, channels outer inside each, so the block's levels are written while in L1.
        int block = Math.Max(1, 2048 / channels) * channels;
        for (int start = 0; start < length; start += block)
        for (int c = 0; c < channels; c += width)
        {
            var m = Vector512.LoadUnsafe(ref scale, (nuint)c);
            var b = Vector512.LoadUnsafe(ref shift, (nuint)c);
            int end = Math.Min(length, start + block);
            for (int i = start + c; i < end; i += channels)
            {
                var v = Vector512.LoadUnsafe(ref source, (nuint)i) * m + b;
                if (add) v += Vector512.LoadUnsafe(ref added, (nuint)i);
                if (rectify) v = Vector512.Min(Vector512.Max(v, Vector512<float>.Zero), top);
                // The plain vcvtps2dq (not the saturating Vector512.ConvertToInt32, measured slower): levels are
                // whole numbers 0..255, and a NaN's 0x80000000 narrows to 0 as the saturating 0 does.
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32(rule.Level(v))).StoreUnsafe(ref target, (nuint)i);
            }
        }
    }
}
