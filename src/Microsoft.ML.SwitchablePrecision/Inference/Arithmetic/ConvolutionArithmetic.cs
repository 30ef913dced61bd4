using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

/// <summary>
/// How one convolution (or linear layer, a 1x1 convolution on a 1x1 image) computes its sums: im2col of its input
/// slot into the kernel's column layout, then the kernel's GEMM into float accumulators <c>[P, OutChannels]</c>
/// (channels-last, <c>P = images * OutPixels</c>) whose value times <see cref="OutputScale"/> is the convolution of the
/// quantized operands. Each implementation holds its weights packed for its kernel.
/// </summary>
internal abstract class ConvolutionArithmetic(ConvolutionShape shape)
{
    /// <summary>The layer geometry.</summary>
    public ConvolutionShape Shape { get; } = shape;

    /// <summary>The kernel's name, for plan descriptions and the kernel table.</summary>
    public abstract string KernelName { get; }

    /// <summary>The form of its input the arithmetic reads (levels for the integer kernels, floats otherwise).</summary>
    public abstract ActivationForm InputForm { get; }

    /// <summary>The factor that turns an accumulator into the convolution's value (weight scale times activation scale).</summary>
    public abstract float OutputScale { get; }

    /// <summary>Bytes of the weights as the kernel holds them.</summary>
    public abstract long PackedWeightBytes { get; }

    /// <summary>Scratch for a call on <paramref name="images"/> images.</summary>
    public abstract ScratchSize Scratch(int images);

    /// <summary>Writes the accumulators of <paramref name="images"/> images of <paramref name="input"/>.</summary>
    public abstract void Accumulate(Workspace workspace, ActivationSlot input, int images, Span<float> accumulators);
}
