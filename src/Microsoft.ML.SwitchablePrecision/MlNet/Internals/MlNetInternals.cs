// Every use of ML.NET internals lives in this folder. They are reached through compile-time copies of
// Microsoft.ML.Core/Microsoft.ML.Data with internals made public (build/Publicizer) and the runtime's
// IgnoresAccessChecksTo support; ML.NET may change them in any release, so the package pins 5.0.1.
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>ML.NET internals used by the estimator: the catalog's environment and schema-shape construction.</summary>
internal static class MlNetInternals
{
    public static IHostEnvironment Environment(TransformsCatalog catalog) => catalog.GetEnvironment();

    /// <summary>The shape of a concrete schema (ML.NET keeps this conversion internal).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => SchemaShape.Create(schema);

    public static SchemaShape OutputShape(SchemaShape input, string scoreColumn, string predictedLabelColumn)
    {
        var columns = input.ToDictionary(c => c.Name);
        var scoreAnnotations = new SchemaShape(
        [
            new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false),
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
        ]);
        var keyAnnotations = new SchemaShape(
        [
            new SchemaShape.Column(AnnotationUtils.Kinds.KeyValues, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false),
        ]);
        columns[scoreColumn] = new SchemaShape.Column(scoreColumn, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Single, false, scoreAnnotations);
        columns[predictedLabelColumn] = new SchemaShape.Column(predictedLabelColumn, SchemaShape.Column.VectorKind.Scalar,
            NumberDataViewType.UInt32, true, keyAnnotations);
        return new SchemaShape(columns.Values);
    }
}
