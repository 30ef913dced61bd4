namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>The targets for an SP-Net switch against its dedicated model.</summary>
internal static class Targets
{
    /// <summary>
    /// Largest allowed shortfall, in accuracy points, of an SP-Net switch below its dedicated model: 1.5 for W1A1,
    /// 0.5 for every other switch.
    /// </summary>
    public static double AllowedShortfall(string precision) => precision == "W1A1" ? 1.5 : 0.5;

    /// <summary>True when <paramref name="deltaPoints"/> (SP-Net minus dedicated) is within the allowed shortfall.</summary>
    public static bool Met(string precision, double deltaPoints) => deltaPoints >= -AllowedShortfall(precision) - 1e-9;

    /// <summary>
    /// The short-budget targets against a dedicated full-precision model of the same budget: W1A1 at most 5 points
    /// below it, every switch with at least 2 activation bits at most 2 points below.
    /// </summary>
    public static bool MetAgainstFloat(string precision, double deltaPoints) => deltaPoints >= -(precision == "W1A1" ? 5 : 2) - 1e-9;
}
