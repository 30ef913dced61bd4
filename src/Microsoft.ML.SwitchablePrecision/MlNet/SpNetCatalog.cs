using Microsoft.ML.SwitchablePrecision;

namespace Microsoft.ML;

/// <summary>Catalog entry points of Microsoft.ML.SwitchablePrecision.</summary>
public static class SpNetCatalog
{
    /// <summary>
    /// Trains a switchable-precision network (SP-Net) that classifies images at several quantization levels and
    /// can change precision after training. Put <c>MapValueToKey</c> (label) and <c>LoadImages</c>,
    /// <c>ResizeImages</c>, <c>ExtractPixels</c> (features) before it, and <c>MapKeyToValue</c> after it.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="options">Columns, switches, architecture and training settings.</param>
    public static SpNetEstimator SpNet(this TransformsCatalog catalog, SpNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SpNetEstimator(MlNetInternals.Environment(catalog), options);
    }

    /// <summary>Trains a switchable-precision network (SP-Net) with default settings and the given columns and switches.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">The image column (a known-size vector of Single in (C, H, W) order).</param>
    /// <param name="switches">The precisions to train; null gives W1A1, W1A2, W1A4 and W1A32.</param>
    /// <param name="epochs">Passes over the training data; null keeps the default.</param>
    /// <param name="scoreColumnName">The class-probability output column.</param>
    /// <param name="predictedLabelColumnName">The predicted-class output column.</param>
    public static SpNetEstimator SpNet(this TransformsCatalog catalog, string labelColumnName = "Label",
        string featureColumnName = "Features", IEnumerable<Precision>? switches = null, int? epochs = null,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel")
    {
        var options = new SpNetOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
        };
        if (switches is not null) options.Switches = switches.ToList();
        if (epochs is { } e) options.Epochs = e;
        return catalog.SpNet(options);
    }

    /// <summary>
    /// Evaluates a whole model (a pipeline holding one <see cref="SwitchablePrecisionTransformer"/>) at every switch,
    /// with ML.NET's multiclass metrics. The transformer's precision is set to each switch in turn and restored
    /// afterwards; do not call this while other threads predict with the same model.
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
        var original = spNet.Precision;
        try
        {
            return spNet.Switches.Select(precision =>
            {
                spNet.Precision = precision;
                return new SwitchEvaluation(precision, catalog.Evaluate(model.Transform(data), labelColumnName,
                    scoreColumnName, predictedLabelColumnName));
            }).ToArray();
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    /// <summary>Finds the switchable-precision transformer in <paramref name="model"/> (itself, or inside a pipeline).</summary>
    public static SwitchablePrecisionTransformer? FindSpNet(ITransformer model) => model switch
    {
        SwitchablePrecisionTransformer spNet => spNet,
        IEnumerable<ITransformer> chain => chain.Select(FindSpNet).FirstOrDefault(t => t is not null),
        _ => null,
    };
}
