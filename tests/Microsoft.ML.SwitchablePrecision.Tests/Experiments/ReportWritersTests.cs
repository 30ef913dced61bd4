using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;
using Microsoft.ML.SwitchablePrecision.Experiments.Reporting;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

/// <summary>The table writers on invented cell results (see <see cref="HandMadeCells"/>): no number here is a measurement.</summary>
public class ReportWritersTests
{
    private static readonly IReadOnlyList<string> F1 = Families.BinaryWeight;

    // Seed 1 has all of family1 plus the hard-label SP-Net; seed 2 only the distilled SP-Net.
    private static IReadOnlyList<CellResult> Cells() =>
    [
        HandMadeCells.Result(HandMadeCells.SpNet(F1, DistillationMode.Recursive, 1), 0.80, 0.85, 0.88, 0.90),
        HandMadeCells.Result(HandMadeCells.SpNet(F1, DistillationMode.Recursive, 2), 0.82, 0.85, 0.90, 0.90),
        HandMadeCells.Result(HandMadeCells.SpNet(F1, DistillationMode.Off, 1), 0.78, 0.85, 0.87, 0.91),
        HandMadeCells.Result(HandMadeCells.Dedicated("W1A1", 1), 0.81),
        HandMadeCells.Result(HandMadeCells.Dedicated("W1A2", 1), 0.86),
        HandMadeCells.Result(HandMadeCells.Dedicated("W1A4", 1), 0.88),
        HandMadeCells.Result(HandMadeCells.Dedicated("W1A32", 1), 0.90),
    ];

    [Fact]
    public void MarkdownHasMeanSpreadDeltasTargetsAndDistillationGain()
    {
        var budgets = Tables.Build(Cells());
        string md = MarkdownWriter.Write(budgets, (_, e) => $"accuracy-{e.Name}.png");

        Assert.Single(budgets);
        Assert.Equal([1, 2], budgets[0].Seeds);
        string[] expected =
        [
            "## ResNet20, width x1, 3 epochs, data fmnist100-50-abcdef12, recipe r1",
            "| Row | W1A1 | W1A2 | W1A4 | W1A32 | Mean of quantized |",
            "| SP-Net, distillation | 81.00 ± 1.41 (2) | 85.00 ± 0.00 (2) | 89.00 ± 1.41 (2) | 90.00 ± 0.00 (2) | 86.25 |",
            "| SP-Net, no distillation | 78.00 ± 0.00 (1) | 85.00 ± 0.00 (1) | 87.00 ± 0.00 (1) | 91.00 ± 0.00 (1) | 85.25 |",
            "| Dedicated | 81.00 ± 0.00 (1) | 86.00 ± 0.00 (1) | 88.00 ± 0.00 (1) | 90.00 ± 0.00 (1) | 86.25 |",
            // Differences pair runs of the same seed: the distilled SP-Net's seed 2 has no dedicated or hard-label partner.
            "| SP-Net, distillation | -1.00 met | -1.00 missed | 0.00 met | 0.00 met | -0.50 |",
            "| SP-Net, no distillation | -3.00 missed | -1.00 missed | -1.00 missed | +1.00 met | -1.00 |",
            "| With minus without | +2.00 | 0.00 | +1.00 | -1.00 | +0.50 |",
            "![family1 accuracy per switch](accuracy-family1.png)",
            "| Off (hard labels) | 78.00 ± 0.00 (1) | 85.00 ± 0.00 (1) | 87.00 ± 0.00 (1) | 91.00 ± 0.00 (1) | 85.25 |",
            "| FromTeacher | pending | pending | pending | pending | pending |",
            "| Recursive | +2.00 | 0.00 | +1.00 | -1.00 | +0.50 |",
            "| PACT | pending | pending | pending | pending | pending |",
            "| Dedicated | 81.00 ± 0.00 (1) | pending | pending | pending | pending | pending |",
        ];
        var lines = md.Split('\n').Select(l => l.TrimEnd('\r')).ToHashSet();
        Assert.All(expected, line => Assert.Contains(line, lines));
        Assert.Contains("![family2 accuracy per switch](accuracy-family2.png)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void EachBudgetNamesTheMachinesOfItsCells()
    {
        var cells = Cells().Select((c, i) => i < 2 ? c with { Machine = "AMD EPYC (family 25 model 17)" } : c).ToList();
        string md = MarkdownWriter.Write(Tables.Build(cells));
        Assert.Contains("Machines: unrecorded (5), AMD EPYC (family 25 model 17) (2).", md, StringComparison.Ordinal);
    }

    [Fact]
    public void QuantizerRowsAreComparedWithDoReFaRunForRun()
    {
        var lsq = CellSpec.SpNet(F1, QuantizerKind.Lsq, DistillationMode.Recursive, HandMadeCells.Budget, 1);
        var budgets = Tables.Build([.. Cells(), HandMadeCells.Result(lsq, 0.83, 0.84, 0.90, 0.93)]);
        string md = MarkdownWriter.Write(budgets, plotFile: null);

        var lines = md.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int heading = lines.IndexOf("Each row minus \"DoReFa\" (points, runs of the same seed paired), versus DoReFa:");
        Assert.True(heading > 0, "the quantizer comparison is missing");
        // DoReFa's mean over seeds 1 and 2 is 81/85/89/90, but LSQ only has seed 1 (80/85/88/90) to pair with.
        Assert.Equal("| LSQ | +3.00 | -1.00 | +2.00 | +3.00 | +1.75 |", lines[heading + 5]);
        Assert.Equal("| PACT | pending | pending | pending | pending | pending |", lines[heading + 4]);
    }

    [Fact]
    public void CsvHasOneLinePerRowSeedAndSwitchWithAFinishedCell()
    {
        string csv = CsvWriter.Write(Tables.Build(Cells()));
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(CsvWriter.Header, lines[0]);
        // family1 16 (12 for seed 1, 4 for seed 2), family2 1 (the shared dedicated W1A1), quantizers 8, distillation 12,
        // diagnosis 8 (its rows shared with family1 for seed 1), diagnosis-joint 1 (the shared dedicated W1A1),
        // diagnosis-clip 4 (the dedicated models of seed 1).
        Assert.Equal(1 + 16 + 1 + 8 + 12 + 8 + 1 + 4, lines.Length);
        Assert.Equal(
            "fmnist100-50-abcdef12,ResNet20,1,3,r1,family1,\"SP-Net, distillation\",2,W1A4,0.9,3,SpNet,W1A1 W1A2 W1A4 W1A32,DoReFa,Recursive,12.5,"
            + "0123456789abcdef0123456789abcdef01234567,spnet_w1a1-w1a2-w1a4-w1a32_dorefa_recursive_resnet20_w1_e3_s2_fmnist100-50-abcdef12_r1",
            lines.Single(l => l.Contains("family1,\"SP-Net, distillation\",2,W1A4,", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.Contains(",family2,Dedicated,1,W1A1,0.81,", StringComparison.Ordinal));
    }

    [Fact]
    public void ReportWriterWritesEveryFileAndAPngPerExperimentWithData()
    {
        string folder = HandMadeCells.TemporaryFolder();
        try
        {
            var cache = new CellCache(Path.Combine(folder, "cells"));
            foreach (var cell in Cells()) cache.Store(cell);
            File.WriteAllBytes(Path.Combine(folder, "accuracy-family1-2.png"), [1]); // from a time with two budgets
            File.WriteAllBytes(Path.Combine(folder, "notes.png"), [1]);

            var written = ReportWriter.Write(cache, folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);

            Assert.Equal(["accuracy-diagnosis-clip.png", "accuracy-diagnosis-joint.png", "accuracy-diagnosis.png", "accuracy-distillation.png", "accuracy-family1.png", "accuracy-family2.png", "accuracy-quantizers.png",
                "results.csv", "results.json", "results.md"], written);
            Assert.False(File.Exists(Path.Combine(folder, "accuracy-family1-2.png")));
            Assert.True(File.Exists(Path.Combine(folder, "notes.png")));
            byte[] png = File.ReadAllBytes(Path.Combine(folder, "accuracy-family1.png"));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
            var family1 = json.RootElement[0].GetProperty("Experiments")[0];
            Assert.Equal("family1", family1.GetProperty("Name").GetString());
            Assert.Equal(0.81, family1.GetProperty("Rows")[0].GetProperty("Switches")[0].GetProperty("Mean").GetDouble(), 12);
            Assert.Equal(7, json.RootElement[0].GetProperty("Cells").GetArrayLength());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ABatchNormReestimatedRowReadsTheReestimatedAccuracyOfTheVariantCell()
    {
        var spec = HandMadeCells.SpNet(Families.BinaryWeight, DistillationMode.Off, 1) with { Recipe = "r1+meanloss" };
        var cell = HandMadeCells.Result(spec, 0.5, 0.6, 0.7, 0.8) with
        {
            TestAfterBatchNormReestimation = spec.Switches.Select((p, i) => new SwitchAccuracy(p, 0.55 + i / 10.0, 1)).ToList(),
        };

        var budget = Assert.Single(Tables.Build([cell]));

        Assert.Equal(HandMadeCells.Budget, budget.Budget);
        var diagnosis = budget.Experiments.Single(e => e.Experiment.Name == "diagnosis");
        Assert.Equal(0.7, diagnosis.Find("SP-Net, losses averaged")!.BySwitch["W1A4"]!.Mean, 12);
        Assert.Equal(0.75, diagnosis.Find("SP-Net, losses averaged, BN re-estimated")!.BySwitch["W1A4"]!.Mean, 12);
        Assert.Null(diagnosis.Find(RowLabels.WithoutDistillation)!.BySwitch["W1A4"]);
    }

    [Fact]
    public void ARowWithSomeOfTheSwitchesShowsTheOthersAsNotApplicable()
    {
        var clipped = HandMadeCells.Dedicated("W1A32", 1) with { Recipe = "r1+meanloss-clip" };
        var budgets = Tables.Build([.. Cells(), HandMadeCells.Result(clipped, 0.87)]);
        string md = MarkdownWriter.Write(budgets);

        var lines = md.Split('\n').Select(l => l.TrimEnd('\r')).ToHashSet();
        Assert.Contains("| Dedicated, A32 clipped | n/a | n/a | n/a | 87.00 ± 0.00 (1) | n/a |", lines);
        Assert.Contains("| Dedicated, A32 clipped | n/a | n/a | n/a | -3.00 | n/a |", lines);
        Assert.Contains("| SP-Net, losses averaged, A32 clipped | pending | pending | pending | pending | pending |", lines);
        var csv = CsvWriter.Write(budgets);
        Assert.Single(csv.Split('\n'), l => l.Contains("Dedicated, A32 clipped", StringComparison.Ordinal));
    }

    [Fact]
    public void StatUsesTheSampleStandardDeviation()
    {
        var stat = new Stat([0.5, 0.7, 0.9]);
        Assert.Equal(0.7, stat.Mean, 12);
        Assert.Equal(0.2, stat.Std, 12);
        Assert.Equal(0, new Stat([0.5]).Std);
    }

    [Fact]
    public void TheShortBudgetTableComparesEverySpNetSwitchWithTheDedicatedFloatModel()
    {
        var budget = HandMadeCells.Budget with { Recipe = "r1+mean" };
        var spNet = CellSpec.SpNet(F1, QuantizerKind.DoReFa, DistillationMode.Off, budget, 1);
        var float32 = CellSpec.Dedicated("W32A32", QuantizerKind.DoReFa, budget, 1);
        string md = MarkdownWriter.Write(Tables.Build([HandMadeCells.Result(spNet, 0.80, 0.84, 0.86, 0.83), HandMadeCells.Result(float32, 0.855)]));

        string section = md[md.IndexOf("### short-budget-table:", StringComparison.Ordinal)..];
        Assert.Contains("Each SP-Net switch minus the dedicated W32A32 model (points, same seed); target: W1A1 within 5 points, every other switch within 2:", section);
        Assert.Contains("| SP-Net, library defaults | -5.50 missed | -1.50 met | +0.50 met | -2.50 missed | -2.25 |", section);
    }
}
