namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>The order in which a training step visits the switches.</summary>
internal static class SwitchOrder
{
    /// <summary>
    /// Indices of <paramref name="switches"/> from the most precise to the least: by activation bits, then weight bits,
    /// both descending. The first is the teacher (W32A32 when present).
    /// </summary>
    public static int[] TeacherFirst(IReadOnlyList<Precision> switches) =>
        Enumerable.Range(0, switches.Count)
            .OrderByDescending(i => switches[i].ActivationBits)
            .ThenByDescending(i => switches[i].WeightBits)
            .ToArray();
}
