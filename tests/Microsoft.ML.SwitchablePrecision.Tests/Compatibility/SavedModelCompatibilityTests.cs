using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Compatibility;

/// <summary>
/// Models saved by earlier builds (Assets/saved-models-v1, written by tests/SpNet.CompatibilityAssets at the commit
/// their scores file names) load with today's code and give the scores recorded when they were saved, at every switch.
/// </summary>
public sealed class SavedModelCompatibilityTests
{
    // The scores were recorded in the writing process; the same arithmetic in another process and build may differ in
    // the last bits of a float sum, never more.
    private const float Tolerance = 1e-5f;

    public static TheoryData<string> Models => new() { "dorefa", "pact", "lsq" };

    [Theory]
    [MemberData(nameof(Models))]
    public void AModelSavedByAnEarlierBuildLoadsAndGivesItsRecordedScoresAtEverySwitch(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1");
        var recorded = JsonSerializer.Deserialize<RecordedScores>(File.ReadAllText(Path.Combine(folder, $"{name}.scores.json")))!;
        var context = new MLContext(seed: 1);
        var model = context.Model.Load(Path.Combine(folder, $"{name}.zip"), out _);
        var spNet = SpNetCatalog.FindSpNet(model)!;
        using var dispose = spNet;
        Assert.Equal(Precision.Parse(recorded.ActivePrecision), spNet.Precision);
        Assert.Equal(recorded.Scores.Keys.Select(Precision.Parse), spNet.Switches);

        var images = context.Data.LoadFromEnumerable(Rows(FashionMnist.Load(SubsetData.Folder, train: false).Take(8)));
        foreach (var (switchName, expected) in recorded.Scores)
        {
            spNet.Precision = Precision.Parse(switchName);
            var actual = context.Data.CreateEnumerable<Scored>(model.Transform(images), reuseRowObject: false).Select(r => r.Score).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                for (int c = 0; c < expected[i].Length; c++)
                    Assert.True(Math.Abs(expected[i][c] - actual[i][c]) <= Tolerance,
                        $"{name} at {switchName}, image {i}, class {c}: recorded {expected[i][c]}, now {actual[i][c]}.");
        }
    }

    private static IEnumerable<Row> Rows(ImageDataset data)
    {
        for (int i = 0; i < data.Count; i++)
            yield return new Row { Label = (uint)data.Labels[i], Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray() };
    }

    private sealed class RecordedScores
    {
        public string ActivePrecision { get; set; } = "";
        public Dictionary<string, float[][]> Scores { get; set; } = [];
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
