using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

[Collection(TrainedPipelineCollection.Name)]
public sealed class SaveLoadTests(TrainedPipelineFixture fixture)
{
    [Fact]
    public void LoadedModelGivesIdenticalScoresAtEverySwitchAndKeepsThePrecision()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var path = Path.Combine(fixture.Root, "same-process.zip");
        try
        {
            spNet.Precision = new Precision(1, 2);
            fixture.Context.Model.Save(fixture.Model, fixture.Train.Schema, path);

            var loaded = fixture.Context.Model.Load(path, out var schema);
            var loadedSpNet = SpNetCatalog.FindSpNet(loaded)!;
            using var disposeLoaded = loadedSpNet;
            Assert.Equal(new Precision(1, 2), loadedSpNet.Precision);
            Assert.Equal(spNet.Switches, loadedSpNet.Switches);
            Assert.Equal(spNet.ClassNames, loadedSpNet.ClassNames);
            Assert.Equal(fixture.Options.Epochs, loadedSpNet.Options.Epochs);
            Assert.Equal("Label", loadedSpNet.Options.LabelColumnName);
            Assert.Equal(fixture.Train.Schema.Count, schema.Count);

            foreach (var precision in spNet.Switches)
            {
                spNet.Precision = precision;
                loadedSpNet.Precision = precision;
                Assert.Equal(TrainedPipelineFixture.Scores(fixture.Model, fixture.Test),
                    TrainedPipelineFixture.Scores(loaded, fixture.Test));
            }
        }
        finally
        {
            spNet.Precision = original;
        }
    }

    [Fact]
    public async Task AModelLoadedInAnotherProcessFromAnotherFolderGivesIdenticalScores()
    {
        var spNet = fixture.SpNet;
        var original = spNet.Precision;
        var path = Path.Combine(fixture.Root, "other-process.zip");
        var output = Path.Combine(fixture.Root, "other-process-scores.txt");
        fixture.Context.Model.Save(fixture.Model, fixture.Train.Schema, path);

        var probe = Path.Combine(AppContext.BaseDirectory, "SpNet.ModelLoadProbe.dll");
        var workingDirectory = Directory.CreateTempSubdirectory("spnet-probe-cwd").FullName;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { probe, path, fixture.TestTable, output }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"probe failed: {await stdout}\n{await stderr}");

        var lines = File.ReadAllLines(output);
        try
        {
            foreach (var precision in spNet.Switches)
            {
                spNet.Precision = precision;
                var expected = TrainedPipelineFixture.Scores(fixture.Model, fixture.Test)
                    .Select(s => precision + "\t" + string.Join(" ", s.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
                Assert.Equal(expected, lines.Where(l => l.StartsWith(precision + "\t", StringComparison.Ordinal)));
            }
        }
        finally
        {
            spNet.Precision = original;
        }
    }
}
