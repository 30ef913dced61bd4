using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Inference.Description;

/// <summary>What a <see cref="LayerRecord"/> computes.</summary>
internal enum LayerKind : byte
{
    /// <summary>A dense convolution (any kernel size), on the arithmetic <see cref="Arithmetic.ArithmeticSelector"/> picks.</summary>
    Convolution,

    /// <summary>A depthwise convolution (groups = channels) on the depthwise kernel.</summary>
    Depthwise,

    /// <summary>The mean of every channel over the image.</summary>
    GlobalAveragePool,

    /// <summary><c>W x + b</c> of a 1x1 input, as a 1x1 convolution.</summary>
    Linear,
}

/// <summary>
/// One layer of a <see cref="PlanDescription"/> at one switch, in the form the engine computes it:
/// <c>rectifier(Fold(conv(InputForm(value Input), Weights)) + value Residual)</c>. Values are numbered: 0 is the
/// normalised input, <c>i + 1</c> the output of layer <c>i</c>.
/// </summary>
/// <param name="Kind">What the layer computes.</param>
/// <param name="Name">The layer path, as in the network's layer list.</param>
/// <param name="Input">The value the layer reads.</param>
/// <param name="Residual">The value added before the rectifier, or -1.</param>
/// <param name="Rectifier">What follows the residual add.</param>
/// <param name="Shape">The convolution geometry (a linear layer: 1x1 on a 1x1 image); unused by a pool.</param>
/// <param name="Weights">The weights at the switch (1-bit signs, k-bit levels with their grid, or floats); null for a pool.</param>
/// <param name="InputForm">What the layer's input quantizer makes of its input at the switch.</param>
/// <param name="Fold">
/// Per output channel <c>y = Multiplier acc + Bias</c> before the arithmetic's output scale: the switch's folded
/// BatchNorm (the identity without one; a linear layer's bias); null for a pool.
/// </param>
internal sealed record LayerRecord(LayerKind Kind, string Name, int Input, int Residual, Rectifier Rectifier,
    ConvolutionShape Shape, WeightLevels? Weights, ActivationForm InputForm, FoldedNorm? Fold);
