namespace Microsoft.ML.SwitchablePrecision.Data;

/// <summary>The content of one IDX file of unsigned bytes: its dimensions and its values in row-major order.</summary>
public sealed class IdxArray
{
    /// <summary>Wraps <paramref name="dimensions"/> and <paramref name="values"/> (no copy).</summary>
    /// <exception cref="ArgumentException">The product of the dimensions is not the number of values.</exception>
    public IdxArray(IReadOnlyList<int> dimensions, byte[] values)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(values);
        long expected = dimensions.Aggregate(1L, (product, d) => product * d);
        if (dimensions.Count == 0 || expected != values.LongLength)
            throw new ArgumentException(
                $"Dimensions {string.Join("x", dimensions)} need {expected} values; {values.LongLength} given.", nameof(values));
        Dimensions = dimensions.ToArray();
        Values = values;
    }

    /// <summary>Size of each dimension; the first is the number of items (images or labels).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>All values in row-major order.</summary>
    public byte[] Values { get; }

    /// <summary>Number of items: the first dimension.</summary>
    public int Count => Dimensions[0];
}
