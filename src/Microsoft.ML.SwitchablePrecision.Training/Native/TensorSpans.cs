using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Native;

/// <summary>The memory of a contiguous CPU float32 tensor as a span, for the fused operations that compute in C#.</summary>
internal static class TensorSpans
{
    /// <summary>The floats of <paramref name="tensor"/> in storage order (callers make it contiguous first).</summary>
    public static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
