using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// The parts of <see cref="SpNetOptions"/> a saved model keeps (everything but the validation set, the callback and the
/// checkpoint folder and interval). Format version 2 stores them as records (<see cref="ToRecords"/>, <see cref="FromMetadata"/>),
/// so a new option needs nothing here; version 1 stored text settings, read by <see cref="FromSettings"/>.
/// </summary>
internal static class StoredOptions
{
    /// <summary>The training recipe and columns of <paramref name="o"/> as the model stores them.</summary>
    public static (TrainerOptions Training, Persistence.StoredColumns Columns) ToRecords(SpNetOptions o) =>
        (SpNetOptionsMapping.Trainer(o, seed: 0) with { CheckpointFolder = null, CheckpointInterval = null },
         new Persistence.StoredColumns
         {
             Label = o.LabelColumnName, Features = o.FeatureColumnName, Score = o.ScoreColumnName,
             PredictedLabel = o.PredictedLabelColumnName, ScoringBatchSize = o.ScoringBatchSize,
         });

    /// <summary>Rebuilds the options of a stored model: from its records (version 2) or its text settings (version 1).</summary>
    /// <exception cref="InvalidDataException">A stored record holds a value the options do not accept; the message names it.</exception>
    public static SpNetOptions FromMetadata(Persistence.ModelMetadata metadata, Architectures.NetworkOptions network)
    {
        if (metadata.Training is not { } training || metadata.Columns is not { } columns)
            return FromSettings(metadata.TrainingSettings ?? [], network);
        try
        {
            training.Validate("the model's Training");
        }
        catch (ArgumentException e)
        {
            string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new InvalidDataException($"The model's training settings are invalid: {reason}", e);
        }
        var o = new SpNetOptions
        {
            LabelColumnName = Column(columns.Label, nameof(columns.Label)),
            FeatureColumnName = Column(columns.Features, nameof(columns.Features)),
            ScoreColumnName = Column(columns.Score, nameof(columns.Score)),
            PredictedLabelColumnName = Column(columns.PredictedLabel, nameof(columns.PredictedLabel)),
            ScoringBatchSize = Math.Max(1, columns.ScoringBatchSize),
            ImageChannels = network.InputChannels,
            ImageHeight = network.Height,
            ImageWidth = network.Width,
        };
        SpNetOptionsMapping.CopyFrom(network, training, o);
        return o;
    }

    private static string Column(string? name, string field) => !string.IsNullOrWhiteSpace(name) ? name
        : throw new InvalidDataException($"The model's Columns.{field} is empty: expected a column name.");

    /// <summary>The version 1 text form (frozen: version 2 stores records; never add a setting here).</summary>
    public static Dictionary<string, string> ToSettings(SpNetOptions o)
    {
        var settings = Settings(o);
        if (o.SwitchLossWeights is { } weights) settings[nameof(o.SwitchLossWeights)] = string.Join(" ", weights.Select(Format));
        return settings;
    }

    private static Dictionary<string, string> Settings(SpNetOptions o) => new()
    {
        [nameof(o.LabelColumnName)] = o.LabelColumnName,
        [nameof(o.FeatureColumnName)] = o.FeatureColumnName,
        [nameof(o.ScoreColumnName)] = o.ScoreColumnName,
        [nameof(o.PredictedLabelColumnName)] = o.PredictedLabelColumnName,
        [nameof(o.Distillation)] = o.Distillation.ToString(),
        [nameof(o.Temperature)] = Format(o.Temperature),
        [nameof(o.HardLabelWeight)] = Format(o.HardLabelWeight),
        [nameof(o.SwitchLossReduction)] = o.SwitchLossReduction.ToString(),
        [nameof(o.Epochs)] = Format(o.Epochs),
        [nameof(o.BatchSize)] = Format(o.BatchSize),
        [nameof(o.LearningRate)] = Format(o.LearningRate),
        [nameof(o.Optimizer)] = o.Optimizer.ToString(),
        [nameof(o.Momentum)] = Format(o.Momentum),
        [nameof(o.WeightDecay)] = Format(o.WeightDecay),
        [nameof(o.Schedule)] = o.Schedule.ToString(),
        [nameof(o.RandomCropPadding)] = Format(o.RandomCropPadding),
        [nameof(o.HorizontalFlip)] = o.HorizontalFlip.ToString(),
        [nameof(o.ScoringBatchSize)] = Format(o.ScoringBatchSize),
        [nameof(o.FullPrecisionWarmStart)] = Format(o.FullPrecisionWarmStart),
        [nameof(o.DecayQuantizedWeights)] = o.DecayQuantizedWeights.ToString(),
        [nameof(o.BatchNormReestimationBatches)] = Format(o.BatchNormReestimationBatches),
        [nameof(o.BatchNormReestimationBatchSize)] = Format(o.BatchNormReestimationBatchSize),
    };

    /// <summary>
    /// Rebuilds the options from the version 1 text form; network fields come from the stored network, unknown or
    /// missing settings keep defaults (or the behaviour of the time a setting did not exist yet).
    /// </summary>
    public static SpNetOptions FromSettings(IReadOnlyDictionary<string, string> s, Architectures.NetworkOptions network)
    {
        var o = new SpNetOptions
        {
            Switches = network.Switches.ToList(),
            Quantizer = network.Quantizer,
            Architecture = network.Architecture,
            WidthMultiplier = network.WidthMultiplier,
            QuantizeFirstAndLastLayers = network.QuantizeFirstAndLastLayers,
            ClipFullPrecisionActivations = network.ClipFullPrecisionActivations,
            ImageChannels = network.InputChannels,
            ImageHeight = network.Height,
            ImageWidth = network.Width,
        };
        o.LabelColumnName = s.GetValueOrDefault(nameof(o.LabelColumnName), o.LabelColumnName);
        o.FeatureColumnName = s.GetValueOrDefault(nameof(o.FeatureColumnName), o.FeatureColumnName);
        o.ScoreColumnName = s.GetValueOrDefault(nameof(o.ScoreColumnName), o.ScoreColumnName);
        o.PredictedLabelColumnName = s.GetValueOrDefault(nameof(o.PredictedLabelColumnName), o.PredictedLabelColumnName);
        o.Distillation = Enum(s, nameof(o.Distillation), o.Distillation);
        o.Temperature = Number(s, nameof(o.Temperature), o.Temperature);
        o.HardLabelWeight = Number(s, nameof(o.HardLabelWeight), o.HardLabelWeight);
        o.SwitchLossWeights = Weights(s, nameof(o.SwitchLossWeights));
        // Models stored before this setting existed were trained with summed losses, the default of the time.
        o.SwitchLossReduction = Enum(s, nameof(o.SwitchLossReduction), SwitchLossReduction.Sum);
        o.Epochs = (int)Number(s, nameof(o.Epochs), o.Epochs);
        o.BatchSize = (int)Number(s, nameof(o.BatchSize), o.BatchSize);
        o.LearningRate = Number(s, nameof(o.LearningRate), o.LearningRate);
        o.Optimizer = Enum(s, nameof(o.Optimizer), o.Optimizer);
        o.Momentum = Number(s, nameof(o.Momentum), o.Momentum);
        o.WeightDecay = Number(s, nameof(o.WeightDecay), o.WeightDecay);
        o.Schedule = Enum(s, nameof(o.Schedule), o.Schedule);
        o.RandomCropPadding = (int)Number(s, nameof(o.RandomCropPadding), o.RandomCropPadding);
        o.HorizontalFlip = s.TryGetValue(nameof(o.HorizontalFlip), out var flip) && bool.TryParse(flip, out var f) ? f : o.HorizontalFlip;
        // Models stored before these settings existed were trained without a warm start or re-estimation, with every weight decayed.
        o.FullPrecisionWarmStart = Number(s, nameof(o.FullPrecisionWarmStart), 0);
        o.DecayQuantizedWeights = s.TryGetValue(nameof(o.DecayQuantizedWeights), out var decay) && bool.TryParse(decay, out var d) ? d : true;
        o.BatchNormReestimationBatches = Math.Max(0, (int)Number(s, nameof(o.BatchNormReestimationBatches), 0));
        // Before this setting existed the re-estimation batches were training batches.
        o.BatchNormReestimationBatchSize = Math.Max(1, (int)Number(s, nameof(o.BatchNormReestimationBatchSize), o.BatchSize));
        o.ScoringBatchSize = Math.Max(1, (int)Number(s, nameof(o.ScoringBatchSize), o.ScoringBatchSize));
        return o;
    }

    // Space-separated invariant numbers; null when absent or unreadable (equal weights).
    private static List<double>? Weights(IReadOnlyDictionary<string, string> s, string key)
    {
        if (!s.TryGetValue(key, out var text)) return null;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = new List<double>();
        foreach (string part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return null;
            values.Add(value);
        }
        return values.Count == 0 ? null : values;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double Number(IReadOnlyDictionary<string, string> s, string key, double fallback) =>
        s.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private static T Enum<T>(IReadOnlyDictionary<string, string> s, string key, T fallback) where T : struct, System.Enum =>
        s.TryGetValue(key, out var text) && System.Enum.TryParse<T>(text, out var v) ? v : fallback;
}
