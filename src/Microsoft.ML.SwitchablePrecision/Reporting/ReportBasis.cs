using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Reporting;

/// <summary>
/// What a <see cref="PrecisionReport"/> is computed from, independent of the switch: the network's weight layers and its
/// parameter count. A model exported for inference stores it, so its report equals the full model's at its switches.
/// </summary>
/// <param name="Layers">The weight layers, as <c>SwitchableNetwork.DescribeLayers</c> gives them.</param>
/// <param name="Parameters">Every parameter of the network, counted once.</param>
internal sealed record ReportBasis(IReadOnlyList<LayerCost> Layers, long Parameters);
