using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>
/// Small SP-Net pipelines (MapValueToKey, then an SP-Net with seeded initial weights) built without training, and the
/// file surgery the reliability tests apply to their saved .zip.
/// </summary>
internal static class UntrainedModels
{
    public const string WeightsEntrySuffix = "SpNetModel.bin";

    /// <summary>The entry of a model exported for inference.</summary>
    public const string CompactEntrySuffix = "SpNetCompact.bin";

    public sealed class Row
    {
        [VectorType(1, 28, 28)]
        public float[]? Features { get; set; } = new float[784];

        public string Label { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    public static string[] ClassNames(int classes) => Enumerable.Range(0, classes).Select(i => "class" + i).ToArray();

    /// <summary>Rows with deterministic pseudo-random pixels in [0, 1], labels cycling through the classes.</summary>
    public static List<Row> Rows(int count, int classes, int seed = 1)
    {
        var random = new Random(seed);
        var names = ClassNames(classes);
        return Enumerable.Range(0, count).Select(i => new Row
        {
            Features = Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble()).ToArray(),
            Label = names[i % classes],
        }).ToList();
    }

    public static SwitchablePrecisionTransformer UntrainedSpNet(MLContext ml, int classes, Precision[] switches, long seed = 7, int scoringBatchSize = 256)
    {
        var network = NetworkFactory.Create(new NetworkOptions
        {
            Classes = classes, Switches = switches, WidthMultiplier = 0.25, InputMean = [0.5f], InputStd = [0.25f],
        }, seed);
        var options = new SpNetOptions { Switches = switches.ToList(), WidthMultiplier = 0.25, ScoringBatchSize = scoringBatchSize };
        return new SwitchablePrecisionTransformer(MlNetInternals.Environment(ml.Transforms), new TorchNetworkBackend(network), options, ClassNames(classes));
    }

    /// <summary>MapValueToKey over <paramref name="classes"/> class names followed by an untrained SP-Net.</summary>
    public static (ITransformer Model, IDataView Data) Pipeline(MLContext ml, int classes, Precision[] switches, long seed = 7)
    {
        var data = ml.Data.LoadFromEnumerable(Rows(2 * classes, classes));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        return (new TransformerChain<ITransformer>(keys, UntrainedSpNet(ml, classes, switches, seed)), data);
    }

    public static string Save(MLContext ml, ITransformer model, IDataView data, string folder, string name)
    {
        var path = Path.Combine(folder, name);
        ml.Model.Save(model, data.Schema, path);
        return path;
    }

    public static List<float[]> Scores(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<float[]>("Score").ToList();

    public static byte[] ReadWeightsEntry(string path, string suffix = WeightsEntrySuffix)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = WeightsEntry(zip, suffix).Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Replaces the SP-Net entry's bytes (null: removes the entry; <paramref name="duplicate"/>: adds a second copy).</summary>
    public static void RewriteWeightsEntry(string path, Func<byte[], byte[]?> change, bool duplicate = false, string suffix = WeightsEntrySuffix)
    {
        var bytes = ReadWeightsEntry(path, suffix);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = WeightsEntry(zip, suffix);
        var name = entry.FullName;
        if (!duplicate) entry.Delete();
        var changed = change(bytes);
        if (changed is null) return;
        using var replacement = zip.CreateEntry(name).Open();
        replacement.Write(changed);
    }

    public static void AddEntry(string path, string name, byte[] bytes)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes);
    }

    public static string WeightsEntryName(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return WeightsEntry(zip).FullName;
    }

    /// <summary>
    /// Edits the metadata JSON inside an SP-Net entry and recomputes the payload length and checksum, as a forger
    /// would: only the library's own bounds can then catch the edit.
    /// </summary>
    public static byte[] EditMetadata(byte[] entry, Action<JsonObject> edit)
    {
        const int header = 8 + 4 + 8 + 32;
        int jsonLength = BitConverter.ToInt32(entry, header);
        var json = JsonNode.Parse(entry.AsSpan(header + 4, jsonLength))!.AsObject();
        edit(json);
        var newJson = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        var payload = new List<byte>();
        payload.AddRange(BitConverter.GetBytes(newJson.Length));
        payload.AddRange(newJson);
        payload.AddRange(entry.AsSpan(header + 4 + jsonLength).ToArray());
        return Reseal(entry, payload.ToArray());
    }

    /// <summary>A new entry with <paramref name="entry"/>'s magic and version around <paramref name="payload"/>, with a correct checksum.</summary>
    public static byte[] Reseal(byte[] entry, byte[] payload)
    {
        var result = new byte[8 + 4 + 8 + 32 + payload.Length];
        entry.AsSpan(0, 12).CopyTo(result);
        BitConverter.TryWriteBytes(result.AsSpan(12, 8), (long)payload.Length);
        SHA256.HashData(payload).CopyTo(result, 20);
        payload.CopyTo(result, 52);
        return result;
    }

    public static string AllMessages(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        return string.Join(" | ", messages);
    }

    private static ZipArchiveEntry WeightsEntry(ZipArchive zip, string suffix = WeightsEntrySuffix) =>
        zip.Entries.First(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal));
}
