using System.IO.Compression;
using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>
/// Every damaged, foreign or missing model file gives one unwrapped exception naming the file and the cause, and the
/// prediction sample prints <c>error: ...</c> with a non-zero exit code for it.
/// </summary>
public sealed class DamagedModelFileTests : IDisposable
{
    private static readonly Precision[] Switches = [new(1, 1), Precision.FullPrecision];
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-damaged").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Each kind of bad file and the start of the message <c>LoadChecked</c> gives after the file name.</summary>
    private List<(string Path, string Message)> BadFiles()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var good = Save(_ml, model, data, _folder, "good.zip");
        (model as IDisposable)?.Dispose();
        var files = new List<(string, string)>();

        var missing = Path.Combine(_folder, "missing.zip");
        files.Add((missing, $"Model file '{missing}' does not exist."));

        var truncated = Path.Combine(_folder, "truncated.zip");
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        files.Add((truncated, $"Model file '{truncated}' is not a complete .zip archive (truncated, or not a model file)"));

        var foreign = Path.Combine(_folder, "foreign.zip");
        using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            writer.Write("not a model");
        files.Add((foreign, $"Model file '{foreign}' is not a model ML.NET can load (foreign or damaged)"));

        var corrupted = Path.Combine(_folder, "corrupted.zip");
        File.Copy(good, corrupted);
        RewriteWeightsEntry(corrupted, b => { b[b.Length / 2] ^= 0x5A; return b; });
        files.Add((corrupted, $"Model file '{corrupted}': The model is corrupted: its checksum does not match."));

        var notText = Path.Combine(_folder, "text.zip");
        File.WriteAllText(notText, "hello");
        files.Add((notText, $"Model file '{notText}' is not a complete .zip archive"));
        return files;
    }

    [Fact]
    public void LoadCheckedGivesOneUnwrappedExceptionNamingTheFileAndTheCause()
    {
        foreach (var (path, message) in BadFiles())
        {
            var error = Record.Exception(() => _ml.Model.LoadChecked(path, out _));
            Assert.True(error is InvalidDataException or FileNotFoundException, $"{path}: {error}");
            Assert.StartsWith(message, error.Message);
        }
    }

    [Fact]
    public async Task ThePredictionSamplePrintsTheErrorAndExitsNonZeroForEveryBadFile()
    {
        var image = Path.Combine(_folder, "image.png");
        File.WriteAllBytes(image, [0x89, 0x50, 0x4E, 0x47]);
        foreach (var (path, message) in BadFiles())
        {
            var (exitCode, _, error) = await ProcessRuns.RunAsync("SpNet.Predict", "--model", path, image);

            Assert.Equal(1, exitCode);
            // The sample names a missing model itself, with a hint to train one.
            Assert.StartsWith("error: " + (File.Exists(path) ? message : $"Model '{path}' does not exist: train one first"), error);
            Assert.DoesNotContain("Unhandled exception", error);
        }
    }
}
