using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Training;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using SpNet.Train.Cli;

namespace SpNet.Train.Training;

/// <summary>The ML.NET pipeline of the sample: image files in, an SP-Net's class and probabilities out.</summary>
internal static class SpNetPipeline
{
    /// <summary>
    /// Label to key, image file to pixels (<c>LoadImages</c>, <c>ResizeImages</c>, <c>ExtractPixels</c>, whose 0..255 values
    /// the SP-Net standardises itself; one channel for grey images, three otherwise), the SP-Net, then the predicted key back to the class name.
    /// </summary>
    public static IEstimator<ITransformer> Create(MLContext mlContext, TrainSettings settings, bool grey, Action<TrainingProgress>? progress)
    {
        var options = new SpNetOptions
        {
            LabelColumnName = nameof(Data.ImageRow.Label),
            FeatureColumnName = "Features",
            Switches = settings.Switches.ToList(),
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Quantizer = settings.Quantizer,
            Architecture = settings.Architecture,
            WidthMultiplier = settings.Width,
            Distillation = settings.Distillation,
            SwitchLossReduction = settings.LossReduction,
            FullPrecisionWarmStart = settings.WarmStart,
            MetricsCallback = progress,
        };
        return mlContext.Transforms.Conversion.MapValueToKey(options.LabelColumnName,
                keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(mlContext.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(Data.ImageRow.ImagePath)))
            .Append(mlContext.Transforms.ResizeImages("Image", settings.ImageSize, settings.ImageSize))
            .Append(mlContext.Transforms.ExtractPixels(options.FeatureColumnName, "Image",
                colorsToExtract: grey ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb))
            .Append(mlContext.Transforms.SpNet(options))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue(options.PredictedLabelColumnName));
    }

    /// <summary>The fitted transformers in front of the SP-Net: what turns raw rows into its input.</summary>
    public static ITransformer Featurizer(ITransformer model, SwitchablePrecisionTransformer spNet) =>
        new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)model).TakeWhile(t => !ReferenceEquals(t, spNet)).ToArray());
}
