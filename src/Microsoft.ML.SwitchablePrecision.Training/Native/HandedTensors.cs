using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Native;

/// <summary>
/// Releases the managed wrappers of tensors that cross TorchSharp's custom autograd boundary as soon as TorchSharp
/// holds its own reference. TorchSharp takes a reference to a forward output when <c>apply</c> wraps it and to a
/// backward result when the node's callback returns, but it never disposes the caller's wrappers, nor the wrappers it
/// creates for the incoming gradients; left to a dispose scope or the finalizer, their storage outlived its use, so
/// the allocator could not reuse it and every new activation and gradient was written to freshly mapped pages
/// (measured: a fused quantizer's forward and backward took 10-20 times a ReLU's).
/// </summary>
internal static class HandedTensors
{
    [ThreadStatic]
    private static List<Tensor>? t_held;

    /// <summary>Keeps <paramref name="tensor"/> until the next <see cref="Release"/> on this thread, and returns it.</summary>
    public static Tensor Hold(Tensor tensor)
    {
        (t_held ??= []).Add(tensor);
        return tensor;
    }

    /// <summary>Releases what the forward of <c>apply</c> held and returns its wrapped output.</summary>
    public static Tensor AfterApply(Tensor output)
    {
        Release();
        return output;
    }

    /// <summary>
    /// Disposes what this thread holds. Call it after <c>apply</c> returns and on entry to a forward or backward: by then
    /// TorchSharp has taken its references to everything held before.
    /// </summary>
    public static void Release()
    {
        if (t_held is not { Count: > 0 } held) return;
        foreach (var tensor in held) tensor.Dispose();
        held.Clear();
    }
}
