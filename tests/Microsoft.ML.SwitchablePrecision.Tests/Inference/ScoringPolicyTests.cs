using Microsoft.ML.SwitchablePrecision.Inference;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// The ResNet scoring policy decides as the measured table in docs/kernels.md ("Batches 8 to 256 on one thread, and the
/// scoring policy re-measured") says: plans where they were faster than TorchSharp, TorchSharp where it was faster or tied.
/// </summary>
public class ScoringPolicyTests
{
    private static readonly int[] Batches = [1, 2, 8, 9, 16, 64, 256, 1000];

    // 'P': plan, 'T': TorchSharp, one column per batch above.
    public static TheoryData<string, string> Table => new()
    {
        { "W1A1", "PPPPPPPP" },
        { "W1A2", "PPPPPPPP" },
        { "W1A4", "PPPPPPPP" },
        { "W2A2", "PPPPPPPP" },
        { "W4A4", "PPPPPPPP" },
        { "W8A8", "PPPPPPPP" },
        { "W1A32", "PPPTTTTT" },
        { "W32A32", "PPPTTTTT" },
        { "W4A32", "PPPTTTTT" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void ResNetsRunOnPlansWhereTheyWereMeasuredFaster(string precision, string decisions)
    {
        var parsed = Precision.Parse(precision);
        var actual = string.Concat(Batches.Select(b => ScoringPolicy.PrefersPlan(parsed, b) ? 'P' : 'T'));
        Assert.Equal(decisions, actual);
        foreach (var architecture in new[] { ArchitectureKind.ResNet20, ArchitectureKind.ResNet18 })
            Assert.Equal(actual, string.Concat(Batches.Select(b => ScoringPolicy.PrefersPlan(architecture, parsed, b) ? 'P' : 'T')));
    }
}
