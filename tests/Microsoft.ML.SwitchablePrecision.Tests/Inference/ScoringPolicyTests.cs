using Microsoft.ML.SwitchablePrecision.Inference;

namespace Microsoft.ML.SwitchablePrecision.Tests.Inference;

/// <summary>
/// The scoring policy decides as the measured table in docs/kernels.md ("Batches 8 to 256 on one thread, and the
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
        Assert.Equal(actual, string.Concat(Batches.Select(b => ScoringPolicy.PrefersPlan(ArchitectureKind.ResNet20, parsed, b) ? 'P' : 'T')));
    }

    // ResNet-18: the same for quantized activations; float activations on TorchSharp from batch 2 (its float32 GEMM
    // loses to oneDNN on the wide layers); a single image on the plan.
    public static TheoryData<string, string> ResNet18Table => new()
    {
        { "W1A1", "PPPPPPPP" },
        { "W8A8", "PPPPPPPP" },
        { "W1A32", "PTTTTTTT" },
        { "W32A32", "PTTTTTTT" },
        { "W4A32", "PTTTTTTT" },
    };

    [Theory]
    [MemberData(nameof(ResNet18Table))]
    public void ResNet18KeepsItsFloatActivationSwitchesOnTorchSharpFromTwoImages(string precision, string decisions)
    {
        var parsed = Precision.Parse(precision);
        Assert.Equal(decisions, string.Concat(Batches.Select(b => ScoringPolicy.PrefersPlan(ArchitectureKind.ResNet18, parsed, b) ? 'P' : 'T')));
    }
}
