using System.Reflection;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// The one correspondence between <see cref="SpNetOptions"/> and the records that own each option: a field of
/// <see cref="SpNetOptions"/> named like a property of <see cref="NetworkOptions"/> or <see cref="TrainerOptions"/> is
/// that option. Copying by name (lists converted) means a new option is a property of its record plus a field of the
/// same name here; <c>SpNetOptionsMappingTests</c> checks that every field belongs to exactly one group.
/// </summary>
internal static class SpNetOptionsMapping
{
    /// <summary>Network properties set from the training data rather than from the options.</summary>
    public static readonly IReadOnlySet<string> NetworkFromData = new HashSet<string>
    {
        nameof(NetworkOptions.InputChannels), nameof(NetworkOptions.Height), nameof(NetworkOptions.Width),
        nameof(NetworkOptions.Classes), nameof(NetworkOptions.InputMean), nameof(NetworkOptions.InputStd),
    };

    /// <summary>Trainer properties the estimator sets itself: the seed comes from the <c>MLContext</c>, threads stay torch's.</summary>
    public static readonly IReadOnlySet<string> TrainerFromEstimator = new HashSet<string>
    {
        nameof(TrainerOptions.Seed), nameof(TrainerOptions.Threads),
    };

    /// <summary>The fields of <see cref="SpNetOptions"/> that are options of <see cref="NetworkOptions"/>.</summary>
    public static IReadOnlyList<(FieldInfo Field, PropertyInfo Property)> NetworkFields { get; } = Pairs<NetworkOptions>(NetworkFromData);

    /// <summary>The fields of <see cref="SpNetOptions"/> that are options of <see cref="TrainerOptions"/>.</summary>
    public static IReadOnlyList<(FieldInfo Field, PropertyInfo Property)> TrainerFields { get; } = Pairs<TrainerOptions>(TrainerFromEstimator);

    /// <summary>The training recipe of <paramref name="options"/> with <paramref name="seed"/>.</summary>
    public static TrainerOptions Trainer(SpNetOptions options, int seed) => CopyTo(options, new TrainerOptions { Seed = seed }, TrainerFields);

    /// <summary>The network of <paramref name="options"/>; the data-dependent properties come from <paramref name="fromData"/>.</summary>
    public static NetworkOptions Network(SpNetOptions options, NetworkOptions fromData) => CopyTo(options, fromData with { }, NetworkFields);

    /// <summary>Sets the network and training fields of <paramref name="options"/> from the records a model was stored with.</summary>
    public static void CopyFrom(NetworkOptions network, TrainerOptions trainer, SpNetOptions options)
    {
        foreach (var (field, property) in NetworkFields) field.SetValue(options, Convert(property.GetValue(network), field.FieldType));
        foreach (var (field, property) in TrainerFields) field.SetValue(options, Convert(property.GetValue(trainer), field.FieldType));
    }

    private static T CopyTo<T>(SpNetOptions options, T record, IReadOnlyList<(FieldInfo Field, PropertyInfo Property)> pairs)
    {
        foreach (var (field, property) in pairs) property.SetValue(record, Convert(field.GetValue(options), property.PropertyType));
        return record;
    }

    private static List<(FieldInfo, PropertyInfo)> Pairs<T>(IReadOnlySet<string> notOptions)
    {
        var fields = typeof(SpNetOptions).GetFields(BindingFlags.Public | BindingFlags.Instance).ToDictionary(f => f.Name);
        return typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && !notOptions.Contains(p.Name))
            .Select(p => fields.TryGetValue(p.Name, out var f)
                ? (f, p)
                : throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} has no field of that name in {nameof(SpNetOptions)}."))
            .ToList();
    }

    // Lists are copied (the options must not share a list with the caller); every other value is the same type on both sides.
    private static object? Convert(object? value, Type target) => value switch
    {
        IEnumerable<Precision> switches => target.IsAssignableFrom(typeof(Precision[])) ? switches.ToArray() : switches.ToList(),
        IEnumerable<double> numbers => target.IsAssignableFrom(typeof(double[])) ? numbers.ToArray() : numbers.ToList(),
        _ => value,
    };
}
