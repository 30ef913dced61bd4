using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Compatibility;

/// <summary>
/// Models exported for inference by an earlier build in compact format version 1 (Assets/compact-models-v1) load with
/// today's code, which writes version 2, and give their recorded scores at every exported switch; saved again, they are
/// written in version 2 and still give them.
/// </summary>
public sealed class CompactModelCompatibilityTests : IDisposable
{
    // As for full models: another process and build may differ in the last bits of a float sum, never more.
    private const float Tolerance = 1e-5f;
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-compact-v1").FullName;

    public static TheoryData<string> Models => new() { "dorefa", "pact", "lsq" };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(Models))]
    public void ACompactModelOfVersion1LoadsAndGivesItsRecordedScoresAndIsRewrittenInVersion2(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Assets", "compact-models-v1");
        var recorded = JsonSerializer.Deserialize<RecordedScores>(File.ReadAllText(Path.Combine(folder, $"{name}.compact.scores.json")))!;
        var context = new MLContext(seed: 1);
        var path = Path.Combine(folder, $"{name}.compact.zip");
        Assert.Equal(1, FormatVersion(path));
        var images = context.Data.LoadFromEnumerable(Rows(FashionMnist.Load(SubsetData.Folder, train: false).Take(8)));
        var model = context.Model.Load(path, out var schema);
        AssertRecordedScores(context, model, images, recorded, name);

        var again = Path.Combine(_folder, $"{name}.zip");
        context.Model.Save(model, schema, again);
        Assert.Equal(2, FormatVersion(again));
        AssertRecordedScores(context, context.Model.Load(again, out _), images, recorded, name + " saved again");
    }

    private static void AssertRecordedScores(MLContext context, ITransformer model, IDataView images, RecordedScores recorded, string name)
    {
        var spNet = SpNetCatalog.FindSpNet(model)!;
        Assert.True(spNet.IsExportedForInference);
        Assert.Equal(Precision.Parse(recorded.ActivePrecision), spNet.Precision);
        Assert.Equal(recorded.Scores.Keys.Select(Precision.Parse), spNet.Switches);
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
        spNet.Precision = Precision.Parse(recorded.ActivePrecision);
    }

    private static int FormatVersion(string path) =>
        BitConverter.ToInt32(Reliability.UntrainedModels.ReadWeightsEntry(path, Reliability.UntrainedModels.CompactEntrySuffix), 8);

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
