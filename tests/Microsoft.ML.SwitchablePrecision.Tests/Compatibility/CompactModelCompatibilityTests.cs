namespace Microsoft.ML.SwitchablePrecision.Tests.Compatibility;

/// <summary>
/// Models exported for inference by an earlier build in compact format version 1 (Assets/compact-models-v1) load with
/// today's code, which writes version 2, and give their recorded scores at every exported switch; saved again, they are
/// written in version 2 and still give them.
/// </summary>
public sealed class CompactModelCompatibilityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-compact-v1").FullName;

    public static TheoryData<string> Models => new() { "dorefa", "pact", "lsq" };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(Models))]
    public void ACompactModelOfVersion1LoadsAndGivesItsRecordedScoresAndIsRewrittenInVersion2(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Assets", "compact-models-v1");
        var recorded = RecordedScores.Read(Path.Combine(folder, $"{name}.compact.scores.json"));
        var context = new MLContext(seed: 1);
        var path = Path.Combine(folder, $"{name}.compact.zip");
        Assert.Equal(1, FormatVersion(path));
        var images = RecordedScores.Images(context);
        var model = context.Model.Load(path, out var schema);
        AssertLoaded(context, model, images, recorded, name);

        var again = Path.Combine(_folder, $"{name}.zip");
        context.Model.Save(model, schema, again);
        Assert.Equal(2, FormatVersion(again));
        AssertLoaded(context, context.Model.Load(again, out _), images, recorded, name + " saved again");
    }

    private static void AssertLoaded(MLContext context, ITransformer model, IDataView images, RecordedScores recorded, string name)
    {
        var spNet = SpNetCatalog.FindSpNet(model)!;
        Assert.True(spNet.IsExportedForInference);
        Assert.Equal(Precision.Parse(recorded.ActivePrecision), spNet.Precision);
        Assert.Equal(recorded.Scores.Keys.Select(Precision.Parse), spNet.Switches);
        recorded.AssertScores(context, model, spNet, images, name, spNet.Precision);
    }

    private static int FormatVersion(string path) =>
        BitConverter.ToInt32(Reliability.UntrainedModels.ReadWeightsEntry(path, Reliability.UntrainedModels.CompactEntrySuffix), 8);
}
