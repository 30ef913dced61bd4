namespace Microsoft.ML.SwitchablePrecision.Tests.Compatibility;

/// <summary>
/// Models saved by earlier builds (Assets/saved-models-v1, written by tests/SpNet.CompatibilityAssets at the commit
/// their scores file names) load with today's code and give the scores recorded when they were saved, at every switch.
/// </summary>
public sealed class SavedModelCompatibilityTests
{
    public static TheoryData<string> Models => new() { "dorefa", "pact", "lsq" };

    [Theory]
    [MemberData(nameof(Models))]
    public void AModelSavedByAnEarlierBuildLoadsAndGivesItsRecordedScoresAtEverySwitch(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1");
        var recorded = RecordedScores.Read(Path.Combine(folder, $"{name}.scores.json"));
        var context = new MLContext(seed: 1);
        var model = context.Model.Load(Path.Combine(folder, $"{name}.zip"), out _);
        var spNet = SpNetCatalog.FindSpNet(model)!;
        using var dispose = spNet;
        Assert.Equal(Precision.Parse(recorded.ActivePrecision), spNet.Precision);
        Assert.Equal(recorded.Scores.Keys.Select(Precision.Parse), spNet.Switches);
        recorded.AssertScores(context, model, spNet, RecordedScores.Images(context), name, spNet.Precision);
    }
}
