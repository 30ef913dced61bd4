using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>Reading key-typed label columns: raw key values of any unsigned width, and the class names.</summary>
internal static class KeyValues
{
    /// <summary>A getter returning the raw key (0 = missing, 1..count = class index + 1).</summary>
    public static Func<ulong> RawKeyGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint)) { var g = row.GetGetter<uint>(column); return () => { uint v = 0; g(ref v); return v; }; }
        if (raw == typeof(ulong)) { var g = row.GetGetter<ulong>(column); return () => { ulong v = 0; g(ref v); return v; }; }
        if (raw == typeof(ushort)) { var g = row.GetGetter<ushort>(column); return () => { ushort v = 0; g(ref v); return v; }; }
        if (raw == typeof(byte)) { var g = row.GetGetter<byte>(column); return () => { byte v = 0; g(ref v); return v; }; }
        throw new ArgumentOutOfRangeException(nameof(column), $"Label column '{column.Name}' has an unsupported key type {column.Type}.");
    }

    /// <summary>The class names: the label's key values as text, or "0", "1", ... when it has none.</summary>
    public static string[] ClassNames(DataViewSchema.Column label, int classes)
    {
        var kind = AnnotationKindKeyValues;
        var annotation = label.Annotations.Schema.GetColumnOrNull(kind);
        if (annotation is { Type: VectorDataViewType { ItemType: var itemType, Size: var size } } && size == classes)
        {
            var method = typeof(KeyValues).GetMethod(nameof(ReadAsText), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(itemType.RawType);
            return (string[])method.Invoke(null, [label.Annotations, classes])!;
        }
        return Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The annotation kind ML.NET uses for a key column's values.</summary>
    public const string AnnotationKindKeyValues = "KeyValues";

    private static string[] ReadAsText<T>(DataViewSchema.Annotations annotations, int classes)
    {
        var values = default(VBuffer<T>);
        annotations.GetValue(AnnotationKindKeyValues, ref values);
        var names = new string[classes];
        int i = 0;
        foreach (var value in values.DenseValues())
            names[i++] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return names;
    }
}
