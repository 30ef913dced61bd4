using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

/// <summary>Invented cell results for testing the cache and the writers; none of these numbers is a measurement.</summary>
internal static class HandMadeCells
{
    public static readonly Budget Budget = new(ArchitectureKind.ResNet20, 1, 3, "fmnist100-50-abcdef12", "r1");

    /// <summary>A result of <paramref name="spec"/> whose switch i gets accuracy <paramref name="accuracies"/>[i].</summary>
    public static CellResult Result(CellSpec spec, params double[] accuracies) => new()
    {
        Spec = spec,
        Commit = "0123456789abcdef0123456789abcdef01234567",
        FinishedUtc = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        WallSeconds = 12.5,
        Threads = 2,
        TrainImages = 100,
        TestImages = 50,
        Test = spec.Switches.Select((p, i) => new SwitchAccuracy(p, accuracies[i], 1.0 + i)).ToList(),
    };

    public static CellSpec Dedicated(string precision, int seed) => CellSpec.Dedicated(precision, QuantizerKind.DoReFa, Budget, seed);

    public static CellSpec SpNet(IReadOnlyList<string> switches, DistillationMode mode, int seed) =>
        CellSpec.SpNet(switches, QuantizerKind.DoReFa, mode, Budget, seed);

    public static string TemporaryFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "spnet-experiments-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
