namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>Order statistics without sorting (Hoare's selection; expected linear time).</summary>
internal static class Selection
{
    /// <summary>
    /// The value of rank <paramref name="rank"/> (0 = smallest) in <paramref name="values"/>, which it reorders. Equal to
    /// <see cref="SmallestReference"/>.
    /// </summary>
    public static double Smallest(Span<double> values, int rank)
    {
        if ((uint)rank >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(rank));
        int low = 0, high = values.Length - 1;
        while (low < high)
        {
            // Median of three as the pivot: latencies arrive nearly sorted in runs, where a fixed pivot goes quadratic.
            int middle = low + (high - low) / 2;
            if (values[middle] < values[low]) (values[middle], values[low]) = (values[low], values[middle]);
            if (values[high] < values[low]) (values[high], values[low]) = (values[low], values[high]);
            if (values[high] < values[middle]) (values[high], values[middle]) = (values[middle], values[high]);
            double pivot = values[middle];
            int i = low, j = high;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (rank <= j) high = j;
            else if (rank >= i) low = i;
            else return values[rank];
        }
        return values[rank];
    }

    /// <summary>The straightforward definition: sort a copy, take the element at <paramref name="rank"/>.</summary>
    public static double SmallestReference(ReadOnlySpan<double> values, int rank)
    {
        var copy = values.ToArray();
        Array.Sort(copy);
        return copy[rank];
    }
}
