namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// What one weight layer costs per image, independent of the switch: a precision report multiplies this by the
/// bit widths of a switch (quantized parts take the switch's bits, the others stay at 32).
/// </summary>
/// <param name="Name">The layer's module path in the network, for example <c>layer2.0.conv1</c> or <c>blocks.3.depthwise</c>.</param>
/// <param name="Kind"><c>Conv2d</c>, <c>DepthwiseConv2d</c> or <c>Linear</c>.</param>
/// <param name="Weights">Number of weights (biases excluded).</param>
/// <param name="MacsPerImage">Multiply-accumulates for one input image.</param>
/// <param name="QuantizedWeights">The weights take the switch's weight bit width.</param>
/// <param name="QuantizedInput">The layer's input activations take the switch's activation bit width.</param>
public sealed record LayerCost(string Name, string Kind, long Weights, long MacsPerImage, bool QuantizedWeights, bool QuantizedInput);
