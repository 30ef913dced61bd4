using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>Saving never destroys an existing good model, even when the saving process is killed.</summary>
public sealed class SaveAtomicallyTests : IDisposable
{
    private static readonly Precision[] Switches = [new(1, 1), Precision.FullPrecision];
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-atomic").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SavingReplacesTheFileAndLeavesNoTemporaryFileBehind()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var path = Path.Combine(_folder, "model.zip");
        File.WriteAllText(path, "old");

        _ml.Model.SaveAtomically(model, data.Schema, path);

        Assert.Equal(["model.zip"], Directory.GetFiles(_folder).Select(Path.GetFileName));
        var loaded = _ml.Model.LoadChecked(path, out _);
        Assert.Equal(Scores(model, data), Scores(loaded, data));
        (loaded as IDisposable)?.Dispose();
        (model as IDisposable)?.Dispose();
    }

    [Fact]
    public void AFailedSaveKeepsTheOldFileAndRemovesItsTemporaryFile()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var path = Path.Combine(_folder, "kept.zip");
        _ml.Model.SaveAtomically(model, data.Schema, path);
        var good = File.ReadAllBytes(path);
        (model as IDisposable)?.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _ml.Model.SaveAtomically(model, data.Schema, path));

        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(["kept.zip"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task KillingTheSavingProcessNeverLeavesADamagedModel()
    {
        const int Kills = 12;
        var (model, data) = Pipeline(_ml, 10, Switches);
        var source = Save(_ml, model, data, _folder, "source.zip");
        var target = Path.Combine(_folder, "target.zip");
        _ml.Model.SaveAtomically(model, data.Schema, target);
        var expected = Scores(model, data);
        var random = new Random(11);
        int killedAfterASave = 0;
        for (int kill = 0; kill < Kills; kill++)
        {
            using (var child = ProcessRuns.Start("SpNet.ModelLoadProbe", "save-loop", source, target, "atomic"))
            {
                // Wait for the first complete save, then kill at a random moment of the following ones.
                var first = await Task.Run(child.StandardOutput.ReadLine).WaitAsync(TimeSpan.FromMinutes(2));
                Assert.Equal("saved", first);
                await Task.Delay(random.Next(0, 150));
                child.Kill();
                Assert.True(child.WaitForExit(TimeSpan.FromMinutes(1)), "the probe did not die");
                killedAfterASave++;
            }
            var loaded = _ml.Model.LoadChecked(target, out _);
            Assert.Equal(expected, Scores(loaded, data));
            (loaded as IDisposable)?.Dispose();
        }
        Assert.Equal(Kills, killedAfterASave);
        (model as IDisposable)?.Dispose();
    }
}
