using Microsoft.ML;
using Microsoft.ML.SwitchablePrecision;

namespace SpNet.Predict;

/// <summary>
/// Consumes the model.zip written by the training sample, in the style of the code Model Builder generates:
/// the model and its PredictionEngine are created on first use, and <see cref="Predict"/> classifies one image.
/// <see cref="Precision"/> switches the same loaded network between its trained precisions on the fly.
/// </summary>
internal static class SpNetModel
{
    private static readonly Lazy<(ITransformer Model, SwitchablePrecisionTransformer SpNet)> Loaded = new(Load, isThreadSafe: true);

    private static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine =
        new(() => new MLContext().Model.CreatePredictionEngine<ModelInput, ModelOutput>(Loaded.Value.Model), isThreadSafe: true);

    /// <summary>Where the model is read from; set it before the first prediction.</summary>
    public static string ModelPath { get; set; } = Path.GetFullPath(Path.Combine("output", "model.zip"));

    /// <summary>The precisions the model was trained with.</summary>
    public static IReadOnlyList<Precision> Switches => Loaded.Value.SpNet.Switches;

    /// <summary>The class names, in the order of <see cref="ModelOutput.Score"/>.</summary>
    public static IReadOnlyList<string> ClassNames => Loaded.Value.SpNet.ClassNames;

    /// <summary>The precision of the next predictions; any of <see cref="Switches"/>.</summary>
    public static Precision Precision
    {
        get => Loaded.Value.SpNet.Precision;
        set => Loaded.Value.SpNet.Precision = value;
    }

    /// <summary>Classifies one image at the current <see cref="Precision"/>.</summary>
    public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Predict(input);

    private static (ITransformer, SwitchablePrecisionTransformer) Load()
    {
        if (!File.Exists(ModelPath))
            throw new FileNotFoundException(
                $"Model '{ModelPath}' does not exist: train one first with 'dotnet run --project samples/SpNet.Train', or pass --model <path>.", ModelPath);
        var model = new MLContext().Model.LoadChecked(ModelPath, out _);
        var spNet = SpNetCatalog.FindSpNet(model)
            ?? throw new InvalidDataException($"Model '{ModelPath}' holds no switchable-precision network: expected a model.zip written by SpNet.Train.");
        return (model, spNet);
    }
}
