using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;

namespace Microsoft.ML;

/// <summary>Catalog entry points of Microsoft.ML.SwitchablePrecision that need no training (those that train are in <c>SpNetTrainingCatalog</c>, Microsoft.ML.SwitchablePrecision.Training).</summary>
public static class SpNetCatalog
{
    /// <summary>
    /// Evaluates a whole model (a pipeline holding one <see cref="SwitchablePrecisionTransformer"/>) at every switch,
    /// with ML.NET's multiclass metrics. Each switch is scored through
    /// <see cref="SwitchablePrecisionTransformer.AtPrecision"/>, so the model's <c>Precision</c> never changes and
    /// other threads may predict with it meanwhile.
    /// </summary>
    /// <param name="catalog">The multiclass catalog, <c>mlContext.MulticlassClassification</c>.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="data">Raw test data, as given to <c>model.Transform</c>.</param>
    /// <param name="labelColumnName">The key label column after the pipeline.</param>
    /// <param name="scoreColumnName">The score column after the pipeline.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column; it must still be a key (evaluate before MapKeyToValue replaces it, or name the key column).</param>
    public static IReadOnlyList<SwitchEvaluation> EvaluateSwitches(this MulticlassClassificationCatalog catalog,
        ITransformer model, IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var spNet = FindSpNet(model) ?? throw new ArgumentException(
            $"The model holds no {nameof(SwitchablePrecisionTransformer)}.", nameof(model));
        return spNet.Switches.Select(precision => new SwitchEvaluation(precision, catalog.Evaluate(
            Replace(model, spNet, spNet.AtPrecision(precision)).Transform(data), labelColumnName, scoreColumnName,
            predictedLabelColumnName))).ToArray();
    }

    // The model with spNet replaced (never disposed: the chain would dispose the shared transformers).
    internal static ITransformer Replace(ITransformer model, SwitchablePrecisionTransformer spNet, ITransformer replacement) => model switch
    {
        _ when ReferenceEquals(model, spNet) => replacement,
        IEnumerable<ITransformer> chain => new TransformerChain<ITransformer>(chain.Select(t => Replace(t, spNet, replacement)).ToArray()),
        _ => model,
    };

    /// <summary>Finds the switchable-precision transformer in <paramref name="model"/> (itself, or inside a pipeline).</summary>
    public static SwitchablePrecisionTransformer? FindSpNet(ITransformer model) => model switch
    {
        SwitchablePrecisionTransformer spNet => spNet,
        IEnumerable<ITransformer> chain => chain.Select(FindSpNet).FirstOrDefault(t => t is not null),
        _ => null,
    };
}
