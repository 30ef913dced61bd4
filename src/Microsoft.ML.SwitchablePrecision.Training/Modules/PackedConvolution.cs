using System.Runtime.InteropServices;
using Microsoft.ML.SwitchablePrecision.Kernels;
using Microsoft.ML.SwitchablePrecision.Native;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// The inference path of one <see cref="QuantizedConv2d"/> at 1-bit DoReFa weights and k-bit DoReFa activations:
/// activation levels, then the exact bit-serial <see cref="BinaryConv2d"/>. Holds the layer's packed weights.
/// </summary>
/// <remarks>
/// Freshness: the packed weights are rebuilt whenever the latent weights differ, bit for bit, from the copy they
/// were packed from. Every call compares the two (one vectorised memory comparison of the layer's float weights),
/// so no way of changing the weights (optimizer steps, loading, <c>copy_</c>, in-place edits) can leave them stale,
/// whether or not the module saw a mode change. Thread safety: the kernel reuses its buffers, so calls are
/// serialised by a lock; concurrent forward passes of one network wait for each other at this layer.
/// </remarks>
internal sealed class PackedConvolution
{
    private readonly object _gate = new();
    private readonly int _stride;
    private readonly int _padding;
    private BinaryConv2d? _kernel;
    private byte[] _packedFrom = [];
    private byte[] _levels = [];

    public PackedConvolution(int stride, int padding)
    {
        _stride = stride;
        _padding = padding;
    }

    /// <summary>Times the packed weights were built (first use and every change of the latent weights).</summary>
    public int Builds { get; private set; }

    /// <summary>Drops the packed weights and buffers; the next call packs again.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _kernel = null;
            _packedFrom = [];
            _levels = [];
        }
    }

    /// <summary>
    /// <c>conv2d(DoReFa.QuantizeActivations(input, bits), DoReFa.QuantizeWeights(weight, 1)) + bias</c>, computed
    /// exactly on levels. <paramref name="input"/> is a CPU float32 NCHW tensor, <paramref name="weight"/> a contiguous
    /// CPU float32 <c>[out, in, kh, kw]</c> tensor; the caller checked both.
    /// </summary>
    public Tensor Forward(Tensor input, Tensor weight, Tensor? bias, int bits)
    {
        lock (_gate)
        {
            var kernel = KernelFor(weight);
            var shape = input.shape;
            int batch = (int)shape[0], height = (int)shape[2], width = (int)shape[3];
            using var contiguous = input.contiguous();
            var activations = MemoryMarshal.Cast<byte, float>(contiguous.bytes);
            if (_levels.Length != activations.Length) _levels = new byte[activations.Length];
            ActivationLevels.Quantize(activations, bits, _levels);

            var output = empty([batch, kernel.OutChannels, kernel.OutputHeight(height), kernel.OutputWidth(width)]);
            kernel.Forward(_levels, batch, height, width, bits, MemoryMarshal.Cast<byte, float>(output.bytes));
            if (bias is not null)
            {
                using var perChannel = bias.view(1, -1, 1, 1);
                output.add_(perChannel, TorchScalars.One);
            }
            return output;
        }
    }

    private BinaryConv2d KernelFor(Tensor weight)
    {
        var latent = weight.bytes;
        if (_kernel is not null && latent.SequenceEqual(_packedFrom)) return _kernel;
        var shape = weight.shape;
        _kernel = new BinaryConv2d(MemoryMarshal.Cast<byte, float>(latent), (int)shape[0], (int)shape[1], (int)shape[2],
            (int)shape[3], _stride, _padding);
        _packedFrom = latent.ToArray();
        Builds++;
        return _kernel;
    }
}
