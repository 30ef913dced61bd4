namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>Mean and spread of one accuracy over seeds.</summary>
/// <param name="Values">One value per seed, in seed order.</param>
internal sealed record Stat(IReadOnlyList<double> Values)
{
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
