using System.Globalization;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// Trains a switchable-precision network (SP-Net) on an image column and a key label column. Create it with
/// <c>mlContext.Transforms.SpNet(...)</c>. Progress goes to <c>mlContext.Log</c> (source <c>SpNet</c>) and to
/// <see cref="SpNetOptions.MetricsCallback"/>; the seed comes from <c>new MLContext(seed: ...)</c>.
/// </summary>
public sealed class SwitchablePrecisionEstimator : IEstimator<SwitchablePrecisionTransformer>
{
    internal const string ComponentName = SwitchablePrecisionTransformer.ComponentName;

    private readonly IHost _host;
    private readonly SpNetOptions _options;

    internal SwitchablePrecisionEstimator(IHostEnvironment env, SpNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(ComponentName);
        SpNetOptionsValidation.Check(options);
        _options = options.Clone();
    }

    /// <summary>The input schema plus the <c>Score</c> and <c>PredictedLabel</c> columns the model will add.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature or label column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        InputColumns.CheckFeatures(inputSchema, _options.FeatureColumnName);
        InputColumns.CheckLabel(inputSchema, _options.LabelColumnName);
        return MlNetInternals.OutputShape(inputSchema, _options.ScoreColumnName, _options.PredictedLabelColumnName);
    }

    /// <summary>Reads the training data into memory, trains every switch jointly and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type or size.</exception>
    /// <exception cref="InvalidOperationException">No usable training row remains.</exception>
    public SwitchablePrecisionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var geometry = InputColumns.CheckFeatures(input.Schema, _options.FeatureColumnName, _options);
        int classes = InputColumns.CheckLabel(input.Schema, _options.LabelColumnName);
        var classNames = KeyValues.ClassNames(input.Schema[_options.LabelColumnName], classes);

        using var channel = _host.Start("Training");
        var train = ReadRows(channel, input, "training", geometry, classes, classNames);
        ImageDataset? validation = null;
        if (_options.ValidationSet is { } validationView)
        {
            InputColumns.CheckFeatureSize(validationView.Schema, _options.FeatureColumnName, geometry);
            int validationClasses = InputColumns.CheckLabel(validationView.Schema, _options.LabelColumnName);
            if (validationClasses != classes)
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"Label column '{_options.LabelColumnName}' of the validation set has {validationClasses} classes; the training data has {classes}.");
            validation = ReadRows(channel, validationView, "validation", geometry, classes, classNames);
        }

        int seed = _host.Rand.Next();
        (train, var profileData) = OnDemand.ProfileHoldout.Split(train, validation, _options.ProfileHoldoutFraction, seed);
        WarnIfTooFewSteps(channel, train.Count);
        var (mean, std) = ChannelStatistics(train);
        var network = NetworkFactory.Create(SpNetOptionsMapping.Network(_options, new NetworkOptions
        {
            InputChannels = geometry.Channels,
            Height = geometry.Height,
            Width = geometry.Width,
            Classes = classes,
            InputMean = mean,
            InputStd = std,
        }), seed);
        try
        {
            channel.Info(MessageSensitivity.Unknown, $"Training {_options.Architecture} ({network.ParameterCount:N0} parameters) on {train.Count} images " +
                $"of {geometry}, {classes} classes, switches {string.Join(", ", network.Switches)}, {_options.Epochs} epochs.");
            new SwitchableNetworkTrainer(SpNetOptionsMapping.Trainer(_options, seed)).Train(network, train, validation, progress => Report(channel, progress));
            return new SwitchablePrecisionTransformer(_host, new TorchNetworkBackend(network), _options.Clone(), classNames)
            {
                SwitchAccuracies = ProfileAccuracies(channel, network, profileData),
            };
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // Measured after training (and BatchNorm re-estimation), on the data training did not learn from.
    private static double?[] ProfileAccuracies(IChannel channel, SwitchableNetwork network, ImageDataset? data)
    {
        if (data is null) return new double?[network.Switches.Count];
        var metrics = NetworkEvaluator.Evaluate(network, data);
        channel.Info(MessageSensitivity.Unknown, $"Profile accuracy on {data.Count} held-out images: " +
            string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Precision} {m.Accuracy:P1}"))));
        return metrics.Select(m => (double?)m.Accuracy).ToArray();
    }

    private ImageDataset ReadRows(IChannel channel, IDataView view, string role, ImageGeometry geometry, int classes, IReadOnlyList<string> classNames)
    {
        var result = TrainingDataReader.Read(view, _options.FeatureColumnName, _options.LabelColumnName, geometry, classes, classNames);
        long skipped = result.SkippedMissingLabel + result.SkippedBadFeatures;
        if (skipped > 0)
            channel.Warning(MessageSensitivity.Unknown, $"Skipped {skipped} {role} row(s): {result.SkippedMissingLabel} with a missing label in column " +
                $"'{_options.LabelColumnName}', {result.SkippedBadFeatures} with NaN or infinite values in column '{_options.FeatureColumnName}'.");
        if (result.Data.Count == 0)
            throw new InvalidOperationException(skipped > 0
                ? $"No usable {role} rows: all {skipped} rows were skipped (missing label in '{_options.LabelColumnName}' or non-finite values in '{_options.FeatureColumnName}')."
                : $"The {role} data is empty.");
        return result.Data;
    }

    /// <summary>Below this many optimizer steps a joint SP-Net rarely leaves chance level (the README's "Semantics worth knowing" has the run that showed it).</summary>
    internal const int MinimumUsefulSteps = 50;

    private void WarnIfTooFewSteps(IChannel channel, int rows)
    {
        int batch = Math.Max(1, _options.BatchSize);
        long steps = (long)Math.Max(0, _options.Epochs) * ((rows + batch - 1) / batch);
        if (steps >= MinimumUsefulSteps) return;
        channel.Warning(MessageSensitivity.Unknown, $"Training will take only {steps} optimizer step(s) ({rows} images, {nameof(SpNetOptions.BatchSize)} {batch}, " +
            $"{nameof(SpNetOptions.Epochs)} {_options.Epochs}); fewer than {MinimumUsefulSteps} steps usually leave every switch near chance. " +
            $"Raise {nameof(SpNetOptions.Epochs)} or lower {nameof(SpNetOptions.BatchSize)}, or train on more images.");
    }

    private void Report(IChannel channel, TrainingProgress progress)
    {
        _options.MetricsCallback?.Invoke(progress);
        if (!progress.IsEpochEnd) return;
        var train = string.Join(", ", progress.Train.Select(m =>
            string.Create(CultureInfo.InvariantCulture, $"{m.Precision} loss {m.Loss:F3} acc {m.Accuracy:P1}")));
        var message = $"Epoch {progress.Epoch}/{progress.Epochs}: {train}";
        if (progress.Validation is { } validation)
            message += "; validation " + string.Join(", ", validation.Select(m =>
                string.Create(CultureInfo.InvariantCulture, $"{m.Precision} acc {m.Accuracy:P1}")));
        channel.Info(MessageSensitivity.Unknown, message);
    }

    private static (float[] Mean, float[] Std) ChannelStatistics(ImageDataset data)
    {
        int plane = data.Height * data.Width;
        var mean = new float[data.Channels];
        var std = new float[data.Channels];
        for (int c = 0; c < data.Channels; c++)
        {
            double sum = 0, sumSquares = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var values = data.Pixels.AsSpan(i * data.ImageSize + c * plane, plane);
                foreach (var v in values)
                {
                    sum += v;
                    sumSquares += (double)v * v;
                }
            }
            double n = (double)data.Count * plane;
            double m = sum / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Max(Math.Sqrt(Math.Max(sumSquares / n - m * m, 0)), 1e-6);
        }
        return (mean, std);
    }
}
