using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>The image size a network takes: channels, height and width.</summary>
internal readonly record struct ImageGeometry(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";
}

/// <summary>Checks the estimator's and transformer's input columns, with messages that name the column.</summary>
internal static class InputColumns
{
    public static ImageGeometry CheckFeatures(DataViewSchema schema, string name, SpNetOptions options)
    {
        var column = Find(schema, name, "feature");
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw Mismatch(name, "feature", "a known-size vector of Single (as ExtractPixels produces)", column.Type.ToString() ?? "?");
        if (!vector.IsKnownSize)
            throw Mismatch(name, "feature", "a known-size vector of Single", "a vector of unknown size");

        var fromDimensions = vector.Dimensions.Length == 3
            ? new ImageGeometry(vector.Dimensions[0], vector.Dimensions[1], vector.Dimensions[2])
            : (ImageGeometry?)null;
        var geometry = options.ImageChannels > 0 || options.ImageHeight > 0 || options.ImageWidth > 0
            ? new ImageGeometry(options.ImageChannels, options.ImageHeight, options.ImageWidth)
            : fromDimensions ?? throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{name}' is a vector of {vector.Size} values without (C, H, W) dimensions; " +
                $"set {nameof(SpNetOptions.ImageChannels)}, {nameof(SpNetOptions.ImageHeight)} and {nameof(SpNetOptions.ImageWidth)} in {nameof(SpNetOptions)}.");
        if (geometry.Channels is not (1 or 3) || geometry.Height is < NetworkLimits.MinimumImageSize or > NetworkLimits.MaximumImageSize
            || geometry.Width is < NetworkLimits.MinimumImageSize or > NetworkLimits.MaximumImageSize)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{name}': image geometry {geometry} is not supported; expected 1 or 3 channels and a height and width of " +
                $"{NetworkLimits.MinimumImageSize} to {NetworkLimits.MaximumImageSize}.");
        if (geometry.Size != vector.Size)
            throw Mismatch(name, "feature", $"a vector of {geometry.Size} values (C*H*W for {geometry})", $"a vector of {vector.Size} values");
        return geometry;
    }

    public static void CheckFeatureSize(DataViewSchema schema, string name, ImageGeometry trained)
    {
        var column = Find(schema, name, "feature");
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
            throw Mismatch(name, "feature", "a known-size vector of Single", column.Type.ToString() ?? "?");
        if (vector.Size != trained.Size)
            throw Mismatch(name, "feature", $"a vector of {trained.Size} values (the model was trained on {trained} images)", $"a vector of {vector.Size} values");
    }

    /// <summary>
    /// Checks that a trained SP-Net fits the columns before it: a feature vector with (C, H, W) dimensions must have the
    /// model's, and a key-typed label column present in the schema must have the model's classes, in the same order.
    /// </summary>
    public static void CheckAgreement(DataViewSchema schema, SpNetOptions options, ImageGeometry trained, IReadOnlyList<string> classNames)
    {
        CheckFeatureSize(schema, options.FeatureColumnName, trained);
        var features = (VectorDataViewType)schema[options.FeatureColumnName].Type;
        if (features.Dimensions.Length == 3)
        {
            var geometry = new ImageGeometry(features.Dimensions[0], features.Dimensions[1], features.Dimensions[2]);
            if (geometry != trained)
                throw Mismatch(options.FeatureColumnName, "feature", $"{trained} images (as the SP-Net was trained)", $"{geometry} images");
        }
        if (schema.GetColumnOrNull(options.LabelColumnName) is not { Type: KeyDataViewType key } label) return;
        var labelNames = key.Count <= int.MaxValue && label.Annotations.Schema.GetColumnOrNull(KeyValues.AnnotationKindKeyValues) is not null
            ? KeyValues.ClassNames(label, (int)Math.Min(key.Count, int.MaxValue))
            : null;
        if (key.Count != (ulong)classNames.Count || (labelNames is not null && !labelNames.SequenceEqual(classNames)))
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Label column '{options.LabelColumnName}' has {key.Count} classes{Listed(labelNames)}; the SP-Net was trained with " +
                $"{classNames.Count}{Listed(classNames)}. The model's parts do not belong together.");
    }

    private static string Listed(IReadOnlyList<string>? names) => names is null ? ""
        : " (" + string.Join(", ", names.Take(12)) + (names.Count > 12 ? ", ..." : "") + ")";

    /// <summary>Returns the number of classes (the label's key count).</summary>
    public static int CheckLabel(DataViewSchema schema, string name)
    {
        var column = Find(schema, name, "label");
        if (column.Type is not KeyDataViewType key)
            throw Mismatch(name, "label", "a key type (map the labels with MapValueToKey first)", column.Type.ToString() ?? "?");
        if (key.Count < 2)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Label column '{name}' has {key.Count} class(es); at least 2 are needed.");
        if (key.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{name}' has too many classes ({key.Count}).");
        return (int)key.Count;
    }

    public static void CheckFeatures(SchemaShape shape, string name)
    {
        if (!shape.TryFindColumn(name, out var column))
            throw new ArgumentOutOfRangeException(nameof(shape), $"Feature column '{name}' not found in the input schema.");
        if (column.ItemType != NumberDataViewType.Single || column.Kind == SchemaShape.Column.VectorKind.Scalar)
            throw Mismatch(name, "feature", "a known-size vector of Single", column.GetTypeString());
        if (column.Kind == SchemaShape.Column.VectorKind.VariableVector)
            throw Mismatch(name, "feature", "a known-size vector of Single", "a vector of unknown size");
    }

    public static void CheckLabel(SchemaShape shape, string name)
    {
        if (!shape.TryFindColumn(name, out var column))
            throw new ArgumentOutOfRangeException(nameof(shape), $"Label column '{name}' not found in the input schema.");
        if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw Mismatch(name, "label", "a key type (map the labels with MapValueToKey first)", column.GetTypeString());
    }

    public static void CheckSwitches(IList<Precision>? switches) => SwitchList.Check(switches, nameof(switches));

    public static void CheckSwitchLossWeights(IList<double>? weights, int switches)
    {
        if (weights is null) return;
        if (weights.Count != switches)
            throw new ArgumentException(
                $"{nameof(SpNetOptions.SwitchLossWeights)} has {weights.Count} entries; expected {switches}, one per entry of {nameof(SpNetOptions.Switches)} in the same order.",
                nameof(weights));
        for (int i = 0; i < weights.Count; i++)
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
                throw new ArgumentException($"{nameof(SpNetOptions.SwitchLossWeights)}[{i}] is {weights[i]}; expected a finite number of at least 0.", nameof(weights));
        if (weights.All(w => w == 0))
            throw new ArgumentException($"{nameof(SpNetOptions.SwitchLossWeights)} are all 0; at least one switch needs a weight above 0.", nameof(weights));
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string role) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"{char.ToUpperInvariant(role[0])}{role[1..]} column '{name}' not found in the input schema.");

    private static ArgumentOutOfRangeException Mismatch(string name, string role, string expected, string actual) =>
        new(nameof(name), $"Schema mismatch for {role} column '{name}': expected {expected}, got {actual}.");
}
