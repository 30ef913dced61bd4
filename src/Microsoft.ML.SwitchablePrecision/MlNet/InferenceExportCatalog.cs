using Microsoft.ML.SwitchablePrecision;

namespace Microsoft.ML;

/// <summary>Exporting a trained SP-Net pipeline for deployment: an extension of <c>mlContext.Model</c>.</summary>
public static class InferenceExportCatalog
{
    /// <summary>
    /// Saves <paramref name="model"/> for inference at <paramref name="switches"/> only: the SP-Net is stored as the
    /// inference plans of those switches (1-bit weights as bits, k-bit weights as k-bit levels with their grid, BatchNorm
    /// folded per switch, a weight tensor that several switches use stored once) instead of its float32 latent weights,
    /// and the rest of the pipeline as usual. The file is written atomically, like
    /// <see cref="ModelFileCatalog.SaveAtomically"/>. <c>mlContext.Model.Load</c> of it gives a pipeline whose
    /// <see cref="SwitchablePrecisionTransformer"/> lists only <paramref name="switches"/>, predicts exactly as the full
    /// model's plans do at those switches, needs no TorchSharp, and refuses training-side use
    /// (<see cref="SwitchablePrecisionTransformer.IsExportedForInference"/>). Layout and limits: docs/model-format.md.
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">A trained pipeline holding an SP-Net (or the SP-Net itself, or a model already exported).</param>
    /// <param name="inputSchema">The schema of the pipeline's input (stored with the model; may be null).</param>
    /// <param name="filePath">Where the .zip goes; an existing file is replaced only once the new one is complete.</param>
    /// <param name="switches">The switches to keep: at least one, each one of the model's, none twice.</param>
    /// <exception cref="ArgumentException">
    /// The model holds no SP-Net, or <paramref name="switches"/> is empty, repeats a switch or names one the model does not
    /// have (<see cref="ArgumentOutOfRangeException"/>, listing the model's switches).
    /// </exception>
    /// <exception cref="NotSupportedException">The SP-Net's architecture has no inference plan builder.</exception>
    public static void SaveForInference(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath,
        IEnumerable<Precision> switches) =>
        SaveForInference(catalog, model, inputSchema, filePath, switches, new InferenceExportOptions());

    /// <summary>
    /// Saves <paramref name="model"/> for inference at <paramref name="switches"/> only, as
    /// <see cref="SaveForInference(ModelOperationsCatalog, ITransformer, DataViewSchema?, string, IEnumerable{Precision})"/>
    /// does, with <paramref name="options"/> choosing how the plans' float values are stored:
    /// <see cref="InferenceFloatStorage.Float16"/> rounds the folded BatchNorms and the full-precision layers' weights to
    /// float16 (smaller file; predictions can then differ from the full model's, see
    /// <see cref="InferenceFloatStorage.Float16"/>), the default <see cref="InferenceFloatStorage.Float32"/> keeps them exact.
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">A trained pipeline holding an SP-Net (or the SP-Net itself, or a model already exported).</param>
    /// <param name="inputSchema">The schema of the pipeline's input (stored with the model; may be null).</param>
    /// <param name="filePath">Where the .zip goes; an existing file is replaced only once the new one is complete.</param>
    /// <param name="switches">The switches to keep: at least one, each one of the model's, none twice.</param>
    /// <param name="options">How the plans are stored.</param>
    /// <exception cref="ArgumentException">
    /// As the overload without options, or, at <see cref="InferenceFloatStorage.Float16"/>, a value beyond float16's range
    /// (the message names the layer and switch).
    /// </exception>
    /// <exception cref="NotSupportedException">The SP-Net's architecture has no inference plan builder.</exception>
    public static void SaveForInference(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath,
        IEnumerable<Precision> switches, InferenceExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.FloatStorage))
            throw new ArgumentOutOfRangeException(nameof(options), options.FloatStorage,
                $"{nameof(InferenceExportOptions.FloatStorage)} is {(int)options.FloatStorage}; expected {nameof(InferenceFloatStorage.Float32)} or {nameof(InferenceFloatStorage.Float16)}.");
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ArgumentNullException.ThrowIfNull(switches);
        var spNet = SpNetCatalog.FindSpNet(model) ?? throw new ArgumentException(
            $"The model holds no {nameof(SwitchablePrecisionTransformer)} to export for inference.", nameof(model));
        var exported = spNet.ForInference(switches.ToArray(), options.FloatStorage);
        catalog.SaveAtomically(SpNetCatalog.Replace(model, spNet, exported), inputSchema, filePath);
    }
}
