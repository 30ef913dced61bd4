namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// The switch accuracies in the stored model (<c>ModelMetadata.SwitchAccuracies</c>, optional: absent in models of format 1
/// and in models trained without held-out data), keyed by the switch's text form.
/// </summary>
internal static class StoredAccuracies
{
    /// <summary>The stored form; null when no accuracy is known (the field is then left out of the file).</summary>
    public static Dictionary<string, double>? ToStored(IReadOnlyList<Precision> switches, IReadOnlyList<double?> accuracies)
    {
        var known = switches.Zip(accuracies).Where(p => p.Second.HasValue).ToDictionary(p => p.First.ToString(), p => p.Second!.Value);
        return known.Count == 0 ? null : known;
    }

    /// <summary>The accuracy of each switch in switch order (null where the model holds none).</summary>
    /// <exception cref="InvalidDataException">An entry names no switch of the model or holds a value outside 0 to 1.</exception>
    public static double?[] FromStored(IReadOnlyDictionary<string, double>? stored, IReadOnlyList<Precision> switches)
    {
        var result = new double?[switches.Count];
        if (stored is null) return result;
        foreach (var (key, value) in stored)
        {
            int index = Precision.TryParse(key, out var precision) ? switches.ToList().IndexOf(precision) : -1;
            if (index < 0)
                throw new InvalidDataException($"The model's SwitchAccuracies entry '{key}' is not one of its switches ({string.Join(", ", switches)}).");
            if (!(value >= 0 && value <= 1))
                throw new InvalidDataException($"The model's SwitchAccuracies entry for {key} is {value}; expected an accuracy from 0 to 1.");
            result[index] = value;
        }
        return result;
    }
}
