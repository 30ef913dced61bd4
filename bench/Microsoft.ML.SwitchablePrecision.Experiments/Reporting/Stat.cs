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
        var mine = Seeds.Zip(Values).ToDictionary(p => p.First, p => p.Second);
        var theirs = other.Seeds.Zip(other.Values).ToDictionary(p => p.First, p => p.Second);
        var common = mine.Keys.Where(theirs.ContainsKey).ToList();
        return common.Count == 0 ? null : common.Average(s => mine[s]) - common.Average(s => theirs[s]);
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
