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

    public static IHostEnvironment Environment(ModelOperationsCatalog catalog) => catalog.GetEnvironment();

    /// <summary>The shape of a concrete schema (ML.NET keeps this conversion internal).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => SchemaShape.Create(schema);

    /// <summary>
    /// The input shape plus the columns <see cref="OutputSchema.Build"/> appends, taken from a schema built with two
    /// placeholder classes (a shape does not carry the class count), so the output columns are defined once.
    /// </summary>
    public static SchemaShape OutputShape(SchemaShape input, string scoreColumn, string predictedLabelColumn)
    {
        var appended = SchemaShape.Create(OutputSchema.Build(new DataViewSchema.Builder().ToSchema(), scoreColumn, predictedLabelColumn, ["0", "1"]));
        var columns = input.ToDictionary(c => c.Name);
        foreach (var column in appended) columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }
}
