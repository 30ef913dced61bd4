using System.IO.Compression;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

[Collection(TrainedPipelineCollection.Name)]
public sealed class CorruptModelTests(TrainedPipelineFixture fixture)
{
    private const string WeightsEntrySuffix = "SpNetModel.bin";

    private string SavedModel(string name)
    {
        var path = Path.Combine(fixture.Root, name);
        fixture.Context.Model.Save(fixture.Model, fixture.Train.Schema, path);
        return path;
    }

    private Exception LoadFails(string path)
    {
        var error = Record.Exception(() => fixture.Context.Model.Load(path, out _));
        Assert.NotNull(error);
        return error;
    }

    private static string AllMessages(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        return string.Join(" | ", messages);
    }

    private static void RewriteWeightsEntry(string path, Func<byte[], byte[]?> change)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(WeightsEntrySuffix, StringComparison.Ordinal));
        byte[] bytes;
        using (var stream = entry.Open())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        var name = entry.FullName;
        entry.Delete();
        var changed = change(bytes);
        if (changed is null) return;
        using var replacement = zip.CreateEntry(name).Open();
        replacement.Write(changed);
    }

    [Fact]
    public void ATruncatedZipFailsWithAnError()
    {
        var path = SavedModel("truncated.zip");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        Assert.StartsWith($"Model file '{path}' is not a complete .zip archive (truncated, or not a model file): ",
            Assert.Throws<InvalidDataException>(() => fixture.Context.Model.LoadChecked(path, out _)).Message);
        LoadFails(path);
    }

    [Fact]
    public void AForeignZipFailsWithAnError()
    {
        var path = Path.Combine(fixture.Root, "foreign.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            writer.Write("not a model");

        Assert.StartsWith($"Model file '{path}' is not a model ML.NET can load (foreign or damaged): ",
            Assert.Throws<InvalidDataException>(() => fixture.Context.Model.LoadChecked(path, out _)).Message);
        LoadFails(path);
    }

    [Fact]
    public void AMissingWeightsEntryIsNamedInTheError()
    {
        var path = SavedModel("missing-weights.zip");
        RewriteWeightsEntry(path, _ => null);

        Assert.Contains("SpNetModel.bin", AllMessages(LoadFails(path)));
    }

    [Fact]
    public void ACorruptedWeightsEntryFailsTheChecksum()
    {
        var path = SavedModel("corrupted.zip");
        RewriteWeightsEntry(path, bytes =>
        {
            bytes[bytes.Length / 2] ^= 0x5A;
            return bytes;
        });

        Assert.Contains("checksum", AllMessages(LoadFails(path)));
    }

    [Fact]
    public void ATruncatedWeightsEntryIsReportedAsTruncated()
    {
        var path = SavedModel("truncated-weights.zip");
        RewriteWeightsEntry(path, bytes => bytes[..(bytes.Length - 1000)]);

        Assert.Contains("truncated", AllMessages(LoadFails(path)));
    }

    [Fact]
    public void AForgedHugePayloadLengthFailsWithoutAllocatingIt()
    {
        var path = SavedModel("forged-length.zip");
        RewriteWeightsEntry(path, bytes =>
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(12, 8), (long)int.MaxValue - 100);
            return bytes;
        });
        // This thread's counter: the process-wide one also counts what tests running in parallel allocate.
        long before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Contains("truncated", AllMessages(LoadFails(path)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256L << 20, "no allocation of the forged length");
    }

    [Fact]
    public void ANewerFormatVersionAsksForAnUpdate()
    {
        var path = SavedModel("newer.zip");
        RewriteWeightsEntry(path, bytes =>
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), 99);
            return bytes;
        });

        var message = AllMessages(LoadFails(path));
        Assert.Contains("version 99", message);
        Assert.Contains("Update", message);
    }

    [Fact]
    public void AFailedLoadLeavesTheOriginalModelWorking()
    {
        var path = SavedModel("failed-load.zip");
        RewriteWeightsEntry(path, _ => null);
        var before = TrainedPipelineFixture.Scores(fixture.Model, fixture.Test);

        LoadFails(path);

        Assert.Equal(before, TrainedPipelineFixture.Scores(fixture.Model, fixture.Test));
    }
}
