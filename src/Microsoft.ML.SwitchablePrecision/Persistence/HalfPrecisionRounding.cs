using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// Rounds what <see cref="InferenceFloatStorage.Float16"/> stores as float16 (every fold's multipliers and biases and
/// every full-precision weight tensor) to the nearest float16, so that the exported plans compute with exactly the
/// values a compact model holds. A tensor or fold that several layers or switches share stays shared.
/// </summary>
internal static class HalfPrecisionRounding
{
    /// <exception cref="ArgumentException">A finite value is beyond float16's range (65504); the message names the layer and switch.</exception>
    public static PlanDescription[] Round(IEnumerable<PlanDescription> descriptions)
    {
        var weights = new Dictionary<WeightLevels, WeightLevels>(ReferenceEqualityComparer.Instance);
        var folds = new Dictionary<FoldedNorm, FoldedNorm>(ReferenceEqualityComparer.Instance);
        return descriptions.Select(d => d with
        {
            Layers = d.Layers.Select(layer => layer with
            {
                Weights = layer.Weights is { IsFullPrecision: true } w
                    ? Shared(weights, w, () => WeightLevels.FullPrecision(Rounded(w.Values, layer, d.Precision, "weights"), w.Rows, w.Depth))
                    : layer.Weights,
                Fold = layer.Fold is { } f
                    ? Shared(folds, f, () => new FoldedNorm(Rounded(f.Multiplier, layer, d.Precision, "folded multipliers"), Rounded(f.Bias, layer, d.Precision, "folded biases")))
                    : null,
            }).ToArray(),
        }).ToArray();
    }

    private static T Shared<T>(Dictionary<T, T> done, T original, Func<T> round) where T : class
    {
        if (!done.TryGetValue(original, out var rounded)) done[original] = rounded = round();
        return rounded;
    }

    private static float[] Rounded(float[] values, LayerRecord layer, Precision precision, string what)
    {
        var rounded = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            rounded[i] = (float)(Half)values[i];
            if (float.IsFinite(values[i]) && !float.IsFinite(rounded[i]))
                throw new ArgumentException(
                    $"Layer {layer.Name} at {precision} has {what} up to {values[i]}, beyond float16's largest value 65504: export it with FloatStorage = {nameof(InferenceFloatStorage.Float32)}.");
        }
        return rounded;
    }
}
