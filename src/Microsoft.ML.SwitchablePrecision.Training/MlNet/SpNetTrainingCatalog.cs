using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML;

/// <summary>Catalog entry points of Microsoft.ML.SwitchablePrecision.Training: train an SP-Net, or wrap a trained network.</summary>
public static class SpNetTrainingCatalog
{
    /// <summary>
    /// Trains a switchable-precision network (SP-Net) that classifies images at several quantization levels and
    /// can change precision after training. Put <c>MapValueToKey</c> (label) and <c>LoadImages</c>,
    /// <c>ResizeImages</c>, <c>ExtractPixels</c> (features) before it, and <c>MapKeyToValue</c> after it.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="options">Columns, switches, architecture and training settings.</param>
    public static SwitchablePrecisionEstimator SpNet(this TransformsCatalog catalog, SpNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SwitchablePrecisionEstimator(MlNetInternals.Environment(catalog), options);
    }

    /// <summary>Trains a switchable-precision network (SP-Net) with default settings and the given columns and switches.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">The image column (a known-size vector of Single in (C, H, W) order).</param>
    /// <param name="switches">The precisions to train; null gives W1A1, W1A2, W1A4 and W1A32.</param>
    /// <param name="epochs">Passes over the training data; null keeps the default.</param>
    /// <param name="scoreColumnName">The class-probability output column.</param>
    /// <param name="predictedLabelColumnName">The predicted-class output column.</param>
    public static SwitchablePrecisionEstimator SpNet(this TransformsCatalog catalog, string labelColumnName = "Label",
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
    /// Makes a trained <see cref="SwitchableNetwork"/> (for example from <see cref="SwitchablePrecision.Training.SwitchableNetworkTrainer"/>) an ML.NET
    /// transformer, so that it scores data views, serves a <c>PredictionEngine</c> and can be saved with
    /// <c>mlContext.Model.Save</c>. The transformer takes ownership of <paramref name="network"/>: disposing it frees the
    /// network. The network's options give the switches, architecture and image geometry; <paramref name="options"/>
    /// gives the column names and scoring batch (its network and training fields are replaced by the network's and
    /// kept for <see cref="SwitchablePrecisionTransformer.Options"/> as given).
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="network">A trained network; it is put in evaluation mode.</param>
    /// <param name="classNames">The class names in the classifier's output order (key value <c>i + 1</c> is <c>classNames[i]</c>).</param>
    /// <param name="options">Column names and scoring settings; null uses the defaults (<c>Label</c>, <c>Features</c>, <c>Score</c>, <c>PredictedLabel</c>).</param>
    /// <exception cref="ArgumentException">The class names do not match the network's classes, or an option is invalid; the message says which.</exception>
    public static SwitchablePrecisionTransformer CreateSpNetTransformer(this ModelOperationsCatalog catalog, SwitchableNetwork network,
        IReadOnlyList<string> classNames, SpNetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != network.Options.Classes)
            throw new ArgumentException($"classNames has {classNames.Count} names; the network classifies {network.Options.Classes} classes.", nameof(classNames));
        int blank = classNames.ToList().FindIndex(string.IsNullOrEmpty);
        if (blank >= 0) throw new ArgumentException($"classNames[{blank}] is empty: every class needs a name.", nameof(classNames));
        var duplicate = classNames.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"classNames lists '{duplicate.Key}' more than once.", nameof(classNames));
        var copy = options?.Clone() ?? new SpNetOptions();
        SpNetOptionsMapping.CopyFrom(network.Options, SpNetOptionsMapping.Trainer(copy, seed: 0), copy);
        copy.ImageChannels = network.Options.InputChannels;
        copy.ImageHeight = network.Options.Height;
        copy.ImageWidth = network.Options.Width;
        SpNetOptionsValidation.Check(copy);
        return new SwitchablePrecisionTransformer(MlNetInternals.Environment(catalog), new TorchNetworkBackend(network), copy, classNames);
    }
}
