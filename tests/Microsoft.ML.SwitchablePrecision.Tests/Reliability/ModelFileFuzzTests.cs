using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using Xunit.Abstractions;
using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>
/// Seeded fuzzing of a saved pipeline (MapValueToKey, SP-Net): every damaged file must end in a clean
/// <see cref="InvalidDataException"/> from <c>LoadChecked</c>, or load into a model that scores exactly as the
/// original at every switch. Semantically valid edits with a recomputed checksum (another input mean, say) are left
/// out: nothing can tell them from a real model.
/// </summary>
public sealed class ModelFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Precision[] Switches = [new(1, 1), Precision.FullPrecision];
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-fuzz").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Out-of-range or inconsistent metadata values a forger could write.
    private static readonly (string Field, string Json)[] HostileFields =
    [
        ("Height", "100000"), ("Height", "0"), ("Height", "-1"), ("Height", "1025"), ("Height", "2147483647"), ("Height", "32"),
        ("Width", "100000"), ("Width", "7"), ("InputChannels", "0"), ("InputChannels", "2"), ("InputChannels", "3"),
        ("Classes", "0"), ("Classes", "1"), ("Classes", "11"), ("Classes", "5"), ("Classes", "100001"),
        ("WidthMultiplier", "16"), ("WidthMultiplier", "64"), ("WidthMultiplier", "0"), ("WidthMultiplier", "-1"),
        ("WidthMultiplier", "1e308"), ("WidthMultiplier", "0.5"), ("Switches", "[]"), ("Switches", "[\"W1A1\",\"W1A1\"]"),
        ("Switches", "[\"X\"]"), ("Switches", "[\"W1A2\",\"W32A32\"]"), ("Switches", "null"), ("ActivePrecision", "\"W3A3\""),
        ("ActivePrecision", "\"\""), ("Architecture", "\"ResNet18\""), ("Architecture", "\"Foo\""), ("Quantizer", "\"Lsq\""),
        ("Quantizer", "\"Bar\""), ("ClassNames", "[\"a\"]"), ("ClassNames", "null"), ("InputMean", "[1,2]"),
        ("InputMean", "[\"NaN\"]"), ("InputStd", "[0]"), ("InputStd", "[-1]"), ("InputStd", "[1e39]"),
        ("ClipFullPrecisionActivations", "\"yes\""), ("TrainingSettings", "null"),
    ];

    [Fact]
    public void ThreeHundredDamagedFilesEndInACleanErrorOrAnIdenticalModel()
    {
        var random = new Random(2026);
        var (model, data) = Pipeline(_ml, 10, Switches);
        var good = Save(_ml, model, data, _folder, "good.zip");
        var expected = ScoresAtEverySwitch(model, data);
        (model as IDisposable)?.Dispose();
        var (fiveClass, fiveData) = Pipeline(_ml, 5, [new(1, 2)]);
        var fiveEntry = ReadWeightsEntry(Save(_ml, fiveClass, fiveData, _folder, "five.zip"));
        (fiveClass as IDisposable)?.Dispose();
        var zip = File.ReadAllBytes(good);
        var entry = ReadWeightsEntry(good);
        int jsonLength = BitConverter.ToInt32(entry, 52);

        var cases = new List<(string Kind, Action<string> Make)>();
        for (int i = 0; i < 40; i++)
        {
            int length = random.Next(zip.Length);
            cases.Add(("truncated zip", path => File.WriteAllBytes(path, zip[..length])));
        }
        for (int i = 0; i < 60; i++)
        {
            int at = random.Next(zip.Length);
            byte mask = (byte)random.Next(1, 256);
            cases.Add(("byte flip in the zip", path => File.WriteAllBytes(path, Flipped(zip, at, mask))));
        }
        for (int i = 0; i < 80; i++)
        {
            // A third each in the header, the metadata and the weights.
            int at = (i % 3) switch
            {
                0 => random.Next(52),
                1 => 52 + random.Next(4 + jsonLength),
                _ => 56 + jsonLength + random.Next(entry.Length - 56 - jsonLength),
            };
            byte mask = (byte)random.Next(1, 256);
            cases.Add(("byte flip in the SP-Net entry", path => WithEntry(path, good, Flipped(entry, at, mask))));
        }
        for (int i = 0; i < 20; i++)
        {
            int length = random.Next(entry.Length);
            cases.Add(("truncated SP-Net entry", path => WithEntry(path, good, entry[..length])));
        }
        cases.Add(("replaced by a 5-class entry", path => WithEntry(path, good, fiveEntry)));
        cases.Add(("replaced by an empty entry", path => WithEntry(path, good, [])));
        cases.Add(("replaced by random bytes", path => WithEntry(path, good, RandomBytes(random, entry.Length))));
        cases.Add(("entry removed", path => WithEntry(path, good, null)));
        for (int i = 0; i < 6; i++)
        {
            var copy = i % 2 == 0 ? entry : fiveEntry;
            cases.Add(("duplicated entry", path => { File.Copy(good, path); RewriteWeightsEntry(path, _ => copy, duplicate: true); }));
        }
        for (int i = 0; i < 40; i++)
        {
            var lie = DeclaredSizeLie(entry, jsonLength, random);
            cases.Add(("declared-size lie", path => WithEntry(path, good, lie)));
        }
        for (int i = 0; i < 50; i++)
        {
            var (field, json) = HostileFields[random.Next(HostileFields.Length)];
            cases.Add(($"metadata {field}", path => WithEntry(path, good, EditMetadata(entry, m => m[field] = JsonNode.Parse(json)))));
        }

        long liveTensors = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var outcomes = new Dictionary<string, (int Errors, int Identical)>();
        for (int i = 0; i < cases.Count; i++)
        {
            var (kind, make) = cases[i];
            var path = Path.Combine(_folder, $"case-{i}.zip");
            make(path);
            var clock = Stopwatch.StartNew();
            bool loaded = TryLoad(path, kind, out var candidate);
            if (loaded)
            {
                Assert.True(ScoresAtEverySwitch(candidate!, data).SequenceEqual(expected, new ScoreComparer()),
                    $"case {i} ({kind}) loaded and scored differently");
                (candidate as IDisposable)?.Dispose();
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"case {i} ({kind}) took {clock.Elapsed}");
            var (errors, identical) = outcomes.GetValueOrDefault(kind);
            outcomes[kind] = loaded ? (errors, identical + 1) : (errors + 1, identical);
            File.Delete(path);
        }

        Assert.Equal(liveTensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.True(cases.Count >= 300, $"{cases.Count} cases");
        foreach (var (kind, (errors, identical)) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            output.WriteLine($"{kind}: {errors} clean errors, {identical} identical models");
    }

    private bool TryLoad(string path, string kind, out ITransformer? model)
    {
        try
        {
            model = _ml.Model.LoadChecked(path, out _);
            return true;
        }
        catch (InvalidDataException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), kind);
            Assert.StartsWith($"Model file '{path}'", e.Message);
            model = null;
            return false;
        }
    }

    private List<float[]> ScoresAtEverySwitch(ITransformer model, IDataView data)
    {
        var spNet = SpNetCatalog.FindSpNet(model)!;
        var original = spNet.Precision;
        var scores = new List<float[]>();
        foreach (var precision in spNet.Switches)
        {
            spNet.Precision = precision;
            scores.AddRange(Scores(model, data));
        }
        spNet.Precision = original;
        return scores;
    }

    private static byte[] Flipped(byte[] bytes, int at, byte mask)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= mask;
        return copy;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static void WithEntry(string path, string good, byte[]? entry)
    {
        File.Copy(good, path);
        RewriteWeightsEntry(path, _ => entry);
    }

    // A header length, the metadata length, the tensor count, a name length or a dimension set to another value;
    // the lies inside the payload get a recomputed checksum, so only the size checks can catch them.
    private static byte[] DeclaredSizeLie(byte[] entry, int jsonLength, Random random)
    {
        long[] values = [0, 1, -1, int.MaxValue, long.MaxValue, 2L << 30, entry.Length, random.Next(1, 1 << 20)];
        long value = values[random.Next(values.Length)];
        var copy = (byte[])entry.Clone();
        int tensors = 56 + jsonLength;
        switch (random.Next(5))
        {
            case 0:
                BitConverter.TryWriteBytes(copy.AsSpan(12, 8), value);
                return copy;
            case 1:
                BitConverter.TryWriteBytes(copy.AsSpan(52, 4), (int)value);
                break;
            case 2:
                BitConverter.TryWriteBytes(copy.AsSpan(tensors, 4), (int)value);
                break;
            case 3:
                BitConverter.TryWriteBytes(copy.AsSpan(tensors + 4, 4), (int)value);
                break;
            default:
                // The first dimension of the first tensor: after its name, dtype and rank.
                int nameLength = BitConverter.ToInt32(copy, tensors + 4);
                BitConverter.TryWriteBytes(copy.AsSpan(tensors + 8 + nameLength + 8, 8), value);
                break;
        }
        return Reseal(copy, copy[52..]);
    }

    private sealed class ScoreComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(float[] obj) => obj.Length;
    }
}
