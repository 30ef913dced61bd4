using Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;
using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// A convolution (or a linear layer as a 1x1 convolution on a 1x1 image) fused with its epilogue: the arithmetic's
/// accumulators go straight through the <see cref="OutputStage"/> (folded BatchNorm, residual, ReLU, next quantizer).
/// </summary>
internal sealed class ConvolutionStep(string name, ConvolutionArithmetic arithmetic, ActivationSlot input, OutputStage stage)
    : PlanStep(name)
{
    /// <summary>The kernel and weights.</summary>
    public ConvolutionArithmetic Arithmetic { get; } = arithmetic;

    /// <summary>The slot the arithmetic reads.</summary>
    public ActivationSlot Input { get; } = input;

    /// <summary>The epilogue.</summary>
    public OutputStage Stage { get; } = stage;

    /// <inheritdoc/>
    public override string Description =>
        $"{Arithmetic.Shape.KernelSize}x{Arithmetic.Shape.KernelSize} conv {Arithmetic.Shape.InChannels}->{Arithmetic.Shape.OutChannels} " +
        $"stride {Arithmetic.Shape.Stride} on {Input.Name}, {Arithmetic.KernelName}{Stage.Description}";

    /// <inheritdoc/>
    public override IEnumerable<ActivationSlot> Reads => Stage.Residual is null ? [Input] : [Input, Stage.Residual];

    /// <inheritdoc/>
    public override IEnumerable<ActivationSlot> Writes => Stage.Writes;

    /// <inheritdoc/>
    public override int AccumulatorsPerImage => Arithmetic.Shape.OutputPerImage;

    /// <inheritdoc/>
    public override ScratchSize Scratch(int images) => Arithmetic.Scratch(images).Max(Stage.Scratch);

    /// <inheritdoc/>
    public override void Run(Workspace workspace, int images)
    {
        int columns = images * Arithmetic.Shape.OutPixels;
        var accumulators = workspace.Accumulators(columns * Arithmetic.Shape.OutChannels);
        Arithmetic.Accumulate(workspace, Input, images, accumulators);
        Stage.Apply(accumulators, columns, workspace, images);
    }
}
