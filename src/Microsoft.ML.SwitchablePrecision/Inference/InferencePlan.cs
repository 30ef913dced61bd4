using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference;

/// <summary>
/// A trained network compiled at one switch into a list of fused layer steps that run on this library's own
/// kernels, without TorchSharp: convolutions with BatchNorm folded into their output stage, residual adds, ReLU and
/// the next layer's activation quantizer fused into the producing layer, so activations flow between quantized
/// layers as integer levels. A plan is immutable and holds its own copy of the weights: it computes what the
/// network computed when it was compiled (the network's plan cache drops its plans when the network changes),
/// and any number of threads may call <see cref="Predict"/> at once.
/// </summary>
/// <remarks>Build one with <c>InferencePlanCompiler.Compile(SwitchableNetwork, Precision)</c>. The mapping of each quantizer to integer levels is in docs/method.md.</remarks>
public sealed class InferencePlan
{
    /// <summary>Images per workspace: enough columns per GEMM call to amortise the weights, little enough to stay in cache.</summary>
    internal const int ImagesPerChunk = 4;

    private readonly InputStage _input;
    private readonly PlanStep[] _steps;
    private readonly ActivationSlot _logits;
    private readonly WorkspacePool _workspaces;
    private readonly ParallelCallPool _calls;

    internal InferencePlan(Precision precision, InputStage input, IReadOnlyList<PlanStep> steps, ActivationSlot logits, int classes)
    {
        Precision = precision;
        _input = input;
        _steps = steps.ToArray();
        _logits = logits;
        Classes = classes;
        Layout = InferenceLayout.Assign(input.Output, _steps, logits);
        _workspaces = new WorkspacePool(Layout, ImagesPerChunk);
        _calls = new ParallelCallPool(this);
    }

    /// <summary>The switch the plan computes.</summary>
    public Precision Precision { get; }

    /// <summary>Input channels of an image.</summary>
    public int Channels => _input.Channels;

    /// <summary>Input height.</summary>
    public int Height => _input.Height;

    /// <summary>Input width.</summary>
    public int Width => _input.Width;

    /// <summary>Floats of one input image, NCHW.</summary>
    public int InputLength => _input.PerImage;

    /// <summary>Classes (logits per image).</summary>
    public int Classes { get; }

    /// <summary>One line per step: layer, operation, kernel and output stage.</summary>
    public IReadOnlyList<string> Describe() => _steps.Select(s => s.ToString()).ToArray();

    internal IReadOnlyList<PlanStep> Steps => _steps;

    internal InferenceLayout Layout { get; }

    /// <summary>
    /// Computes the logits <c>[batch, Classes]</c> of <paramref name="batch"/> raw NCHW images (the pixel values the
    /// network takes; it normalises them itself), splitting the batch over at most <paramref name="threads"/> threads
    /// (0: all cores). Allocates nothing once the plan's pools are warm.
    /// </summary>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="batch"/> images and logits.</exception>
    public void Predict(ReadOnlySpan<float> images, int batch, Span<float> logits, int threads = 0)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be 0 or more.");
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "The thread count must be 0 (all cores) or more.");
        if (images.Length != (long)batch * InputLength)
            throw new ArgumentException($"images holds {images.Length} values; expected {batch} images of {Channels}x{Height}x{Width} = {(long)batch * InputLength}.", nameof(images));
        if (logits.Length != (long)batch * Classes)
            throw new ArgumentException($"logits holds {logits.Length} values; expected {batch} x {Classes} classes = {(long)batch * Classes}.", nameof(logits));
        int chunks = (batch + ImagesPerChunk - 1) / ImagesPerChunk;
        int workers = Math.Min(threads == 0 ? Environment.ProcessorCount : threads, chunks) - 1;
        if (workers <= 0) PredictRange(images, logits, 0, batch);
        else _calls.Run(images, logits, batch, chunks, workers);
    }

    /// <summary>Images <c>[first, first + count)</c> of a batch on the calling thread.</summary>
    internal void PredictRange(ReadOnlySpan<float> images, Span<float> logits, int first, int count)
    {
        var workspace = _workspaces.Rent();
        try
        {
            for (int start = first; start < first + count; start += workspace.Images)
            {
                int n = Math.Min(workspace.Images, first + count - start);
                _input.Run(images.Slice(start * InputLength, n * InputLength), workspace, n);
                foreach (var step in _steps) step.Run(workspace, n);
                workspace.Floats(_logits, n).CopyTo(logits.Slice(start * Classes, n * Classes));
            }
        }
        finally
        {
            _workspaces.Return(workspace);
        }
    }
}
