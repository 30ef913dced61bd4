namespace Microsoft.ML.SwitchablePrecision.Inference.Description;

/// <summary>
/// A network at one switch as the ordered layers its inference plan computes, with every weight, quantizer and folded
/// BatchNorm in the form the engine uses, and nothing of TorchSharp: the architecture builders record it
/// (<see cref="Builders.PlanBuilder"/>), <see cref="PlanAssembler"/> builds the plan from it alone, and a compact
/// model stores it (<see cref="Persistence.PlanDescriptionFormat"/>). The logits are the output of the last layer.
/// </summary>
/// <param name="Precision">The switch.</param>
/// <param name="Input">The input image and its normalisation.</param>
/// <param name="Layers">The layers in forward order.</param>
internal sealed record PlanDescription(Precision Precision, InputRecord Input, IReadOnlyList<LayerRecord> Layers);

/// <summary>The raw NCHW input image and the per-channel normalisation <c>(x - Mean) / Std</c> (empty: none).</summary>
internal sealed record InputRecord(int Channels, int Height, int Width, float[] Mean, float[] Std);
