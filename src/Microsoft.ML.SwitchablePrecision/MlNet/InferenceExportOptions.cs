namespace Microsoft.ML.SwitchablePrecision;

/// <summary>How a model exported for inference stores the float values of its plans.</summary>
public enum InferenceFloatStorage : byte
{
    /// <summary>
    /// IEEE binary32, as the plans compute: the export predicts exactly as the full model's plans at its switches (the
    /// default).
    /// </summary>
    Float32 = 0,

    /// <summary>
    /// IEEE binary16 (11 significant bits, largest value 65504) for the folded BatchNorms (each channel's multiplier and
    /// bias) and the full-precision layers' weights (the first convolution, 1x1 projection shortcuts and classifier):
    /// every such value is rounded to the nearest binary16 at export, and the exported model computes with the rounded
    /// values, so its predictions can differ from the full model's. 1-bit and k-bit weights, their scales, the input
    /// normalisation and the quantizers' learned values stay exact. What it costs on Fashion-MNIST, and what it saves:
    /// docs/results/deployment/README.md.
    /// </summary>
    Float16 = 1,
}

/// <summary>Options of <see cref="InferenceExportCatalog.SaveForInference(ModelOperationsCatalog, ITransformer, DataViewSchema?, string, IEnumerable{Precision}, InferenceExportOptions)"/>.</summary>
public sealed class InferenceExportOptions
{
    /// <summary>How the folded BatchNorms and full-precision weights are stored; default <see cref="InferenceFloatStorage.Float32"/> (exact).</summary>
    public InferenceFloatStorage FloatStorage { get; set; } = InferenceFloatStorage.Float32;
}
