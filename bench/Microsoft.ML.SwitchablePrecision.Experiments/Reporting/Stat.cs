namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>Mean and spread of one accuracy over seeds.</summary>
/// <param name="Values">One value per seed, in seed order.</param>
/// <param name="Seeds">The seed of each value, or null when unknown.</param>
internal sealed record Stat(IReadOnlyList<double> Values, IReadOnlyList<int>? Seeds = null)
{
    /// <summary>
    /// This mean minus <paramref name="other"/>'s over the seeds both have (so rows with different seed sets are
    /// compared run for run); over all values when either has no seeds; null when they share no seed.
    /// </summary>
    public double? PairedDifference(Stat other)
    {
        if (Seeds is null || other.Seeds is null) return Mean - other.Mean;
        var common = Seeds.Intersect(other.Seeds).ToList();
        if (common.Count == 0) return null;
        return common.Average(s => Values[IndexOf(Seeds, s)]) - common.Average(s => other.Values[IndexOf(other.Seeds, s)]);
    }

    private static int IndexOf(IReadOnlyList<int> seeds, int seed)
    {
        for (int i = 0; i < seeds.Count; i++) if (seeds[i] == seed) return i;
        return -1;
    }

    /// <summary>Number of seeds.</summary>
    public int Count => Values.Count;

    /// <summary>Arithmetic mean.</summary>
    public double Mean => Values.Average();

    /// <summary>Sample standard deviation (n - 1 in the denominator); 0 for a single seed.</summary>
    public double Std
    {
        get
        {
            if (Values.Count < 2) return 0;
            double mean = Mean;
            return Math.Sqrt(Values.Sum(v => (v - mean) * (v - mean)) / (Values.Count - 1));
        }
    }
}
