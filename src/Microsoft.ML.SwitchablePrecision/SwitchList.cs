namespace Microsoft.ML.SwitchablePrecision;

/// <summary>The one check of a list of switches, shared by the options, the network factory and the switch context.</summary>
internal static class SwitchList
{
    /// <summary>Why <paramref name="switches"/> cannot be a network's switches (named <c>Switches</c>), or null when it can.</summary>
    public static string? Problem(IEnumerable<Precision>? switches)
    {
        var list = switches?.ToList();
        if (list is null || list.Count == 0)
            return "Switches is empty: expected at least one switch, such as W1A1 and W32A32.";
        foreach (var s in list)
            if (!Precision.IsValidBits(s.WeightBits) || !Precision.IsValidBits(s.ActivationBits))
                return $"Switches holds an invalid precision (bits {s.WeightBits}/{s.ActivationBits}): bit widths must be 1 to {Precision.MaxQuantizedBits} or {Precision.FullPrecisionBits}.";
        var duplicate = list.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? null : $"Switches lists {duplicate.Key} more than once: every switch must be distinct.";
    }

    /// <summary>Throws an <see cref="ArgumentException"/> with <see cref="Problem"/>'s message.</summary>
    public static void Check(IEnumerable<Precision>? switches, string parameter)
    {
        if (Problem(switches) is { } problem) throw new ArgumentException(problem, parameter);
    }
}
