using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// The columns the transformer appends: <c>Score</c> (class probabilities with the multiclass score annotations)
/// and <c>PredictedLabel</c> (a key carrying the class names as key values), so that
/// <c>MulticlassClassification.Evaluate</c> and <c>MapKeyToValue</c> work unchanged.
/// </summary>
internal static class OutputSchema
{
    public static DataViewSchema Build(DataViewSchema input, string scoreColumn, string predictedLabelColumn,
        IReadOnlyList<string> classNames)
    {
        int classes = classNames.Count;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(scoreColumn, new VectorDataViewType(NumberDataViewType.Single, classes), ScoreAnnotations(classNames));
        builder.AddColumn(predictedLabelColumn, new KeyDataViewType(typeof(uint), classes), KeyAnnotations(classNames));
        return builder.ToSchema();
    }

    private static DataViewSchema.Annotations ScoreAnnotations(IReadOnlyList<string> classNames)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddSlotNames(classNames.Count, (ref VBuffer<ReadOnlyMemory<char>> value) => value = Text(classNames));
        builder.Add("ScoreColumnKind", TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = "MulticlassClassification".AsMemory());
        builder.Add("ScoreValueKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = "Score".AsMemory());
        return builder.ToAnnotations();
    }

    private static DataViewSchema.Annotations KeyAnnotations(IReadOnlyList<string> classNames)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddKeyValues(classNames.Count, TextDataViewType.Instance,
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = Text(classNames));
        return builder.ToAnnotations();
    }

    private static VBuffer<ReadOnlyMemory<char>> Text(IReadOnlyList<string> values) =>
        new(values.Count, values.Select(v => v.AsMemory()).ToArray());
}
