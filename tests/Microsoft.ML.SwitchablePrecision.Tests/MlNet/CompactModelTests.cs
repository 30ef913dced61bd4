using System.IO.Compression;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Architectures;
using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>
/// A pipeline exported for inference (<c>mlContext.Model.SaveForInference</c>) loads with <c>mlContext.Model.Load</c>,
/// lists and switches only its exported switches, predicts exactly as the full model's plans, refuses training-side use,
/// stays compact when saved again, and fails cleanly when its entry is damaged.
/// </summary>
public sealed class CompactModelTests : IDisposable
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];
    private static readonly Precision[] Exported = [new(1, 2), new(1, 32)];
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-compact").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheExportedModelListsOnlyItsSwitchesAndPredictsAsTheFullModelBitForBit()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var full = SpNetCatalog.FindSpNet(model)!;
        var path = Export(model, data, "compact.zip", Exported);

        var loaded = _ml.Model.Load(path, out var schema);
        var compact = SpNetCatalog.FindSpNet(loaded)!;
        Assert.True(compact.IsExportedForInference);
        Assert.False(full.IsExportedForInference);
        Assert.Equal(Exported, compact.Switches);
        Assert.Equal(full.ClassNames, compact.ClassNames);
        var rows = Rows(12, 10, seed: 5);
        foreach (var precision in Exported)
        {
            full.Precision = precision;
            compact.Precision = precision;
            var expected = EngineScores(model, rows);
            Assert.Equal(expected, EngineScores(loaded, rows));
            // Transform scores all rows in one batch on the plan: the same numbers as one row at a time.
            Assert.Equal(expected, Scores(loaded, _ml.Data.LoadFromEnumerable(rows)));
            Assert.True(expected.Select(s => s[0]).Distinct().Count() > 6, $"{precision}: the scores barely vary");
        }
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => compact.Precision = new Precision(1, 1));
        Assert.StartsWith("Switch W1A1 is not one of this model's switches: W1A2, W1A32 (the model was exported for inference with only these).", error.Message);
    }

    [Fact]
    public async Task AnotherProcessLoadsAndPredictsWithTheExportedModelWithoutLoadingLibtorch()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var fullPath = Path.Combine(_folder, "full.zip");
        _ml.Model.Save(model, data.Schema, fullPath);
        var compact = await Reliability.ProcessRuns.RunAsync("SpNet.ModelLoadProbe", "native-check", Export(model, data, "compact.zip", Exported));
        var full = await Reliability.ProcessRuns.RunAsync("SpNet.ModelLoadProbe", "native-check", fullPath);
        Assert.True(compact.ExitCode == 0 && full.ExitCode == 0, compact.Error + full.Error);
        var compactLines = compact.Out.Trim().Split('\n');
        Assert.Equal("native: -", compactLines[^1]);
        // The check sees libtorch where it is loaded: the full model runs on TorchSharp.
        Assert.Contains("libtorch_cpu.so", full.Out.Trim().Split('\n')[^1]);
        // Same scores at the exported switches in both processes (one row: the plans at every switch).
        Assert.Equal(compactLines[..^1], full.Out.Trim().Split('\n').Where(l => Exported.Any(p => l.StartsWith(p + "\t", StringComparison.Ordinal))));
    }

    [Fact]
    public void TheExportedModelRefusesTrainingSideUseSayingItWasExportedForInference()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var compact = SpNetCatalog.FindSpNet(_ml.Model.Load(Export(model, data, "compact.zip", Switches), out _))!;
        const string Expected = "This SP-Net was exported for inference (mlContext.Model.SaveForInference) with the switches W1A1, W1A2, W1A4, W1A32";
        Assert.StartsWith(Expected, Assert.Throws<InvalidOperationException>(() => compact.UsePackedKernels = true).Message);
        Assert.StartsWith(Expected, Assert.Throws<InvalidOperationException>(() => compact.Network).Message);
        Assert.False(compact.UsePackedKernels);
    }

    [Fact]
    public void TheExportedModelReportsTheFullModelsCostsAndProfilesAtItsSwitches()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var full = SpNetCatalog.FindSpNet(model)!;
        var compact = SpNetCatalog.FindSpNet(_ml.Model.Load(Export(model, data, "compact.zip", Exported), out _))!;
        var fullLines = full.GetPrecisionReport().ToTable().Split('\n');
        var expected = fullLines.Take(1).Concat(fullLines.Where(l => Exported.Any(p => l.StartsWith(p + " ", StringComparison.Ordinal))));
        Assert.Equal(string.Join('\n', expected), compact.GetPrecisionReport().ToTable().TrimEnd('\n'));
        Assert.Equal(full.GetPrecisionReport().Layers, compact.GetPrecisionReport().Layers);
        var profiles = compact.Profiles;
        Assert.Equal(Exported, profiles.Select(p => p.Precision));
        Assert.All(profiles, p => Assert.True(p.Latency is { } latency && latency.SingleImage > TimeSpan.Zero, $"{p.Precision}: no latency"));
    }

    [Fact]
    public void SavingTheExportedModelAgainKeepsItCompactAndItsPredictions()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var first = Export(model, data, "compact.zip", Exported);
        var loaded = _ml.Model.Load(first, out var schema);
        var again = Path.Combine(_folder, "again.zip");
        _ml.Model.Save(loaded, schema, again);
        Assert.Equal(new[] { CompactEntrySuffix }, EntrySuffixes(again));
        Assert.Equal(ReadWeightsEntry(first, CompactEntrySuffix), ReadWeightsEntry(again, CompactEntrySuffix));
        var reloaded = _ml.Model.Load(again, out _);
        Assert.Equal(Scores(loaded, data), Scores(reloaded, data));

        // Exporting an exported model keeps a subset of its switches.
        var subset = Export(loaded, data, "subset.zip", [new Precision(1, 32)]);
        Assert.Equal(new[] { new Precision(1, 32) }, SpNetCatalog.FindSpNet(_ml.Model.Load(subset, out _))!.Switches);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Export(loaded, data, "none.zip", [new Precision(1, 1)]));
        Assert.StartsWith("Switch W1A1 is not one of the model's switches: W1A2, W1A32.", error.Message);
    }

    [Fact]
    public void TheSwitchListIsCheckedWithTheUsersNames()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var empty = Assert.Throws<ArgumentException>(() => Export(model, data, "empty.zip", []));
        Assert.StartsWith("Name at least one switch to export; the model has W1A1, W1A2, W1A4, W1A32.", empty.Message);
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => Export(model, data, "unknown.zip", [new Precision(1, 2), new Precision(2, 2)]));
        Assert.StartsWith("Switch W2A2 is not one of the model's switches: W1A1, W1A2, W1A4, W1A32.", unknown.Message);
        var twice = Assert.Throws<ArgumentException>(() => Export(model, data, "twice.zip", [new Precision(1, 2), new Precision(1, 2)]));
        Assert.StartsWith("Switch W1A2 is listed 2 times; list each switch once.", twice.Message);
        var keys = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        var noSpNet = Assert.Throws<ArgumentException>(() => _ml.Model.SaveForInference(keys, data.Schema, Path.Combine(_folder, "x.zip"), Switches));
        Assert.StartsWith("The model holds no SwitchablePrecisionTransformer to export for inference.", noSpNet.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void TheExportedEntryHoldsNoLatentWeightsAndTheBinaryFamilysWeightsOnce()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var fullPath = Path.Combine(_folder, "full.zip");
        _ml.Model.Save(model, data.Schema, fullPath);
        long full = ReadWeightsEntry(fullPath).Length;
        long all = ReadWeightsEntry(Export(model, data, "all.zip", Switches), CompactEntrySuffix).Length;
        long one = ReadWeightsEntry(Export(model, data, "one.zip", [new Precision(1, 1)]), CompactEntrySuffix).Length;
        // Four switches cost far less than four times one: the 1-bit weights are stored once; each switch adds its
        // folded BatchNorms and input quantizers.
        Assert.InRange(all, one + 1, 3 * one);
        // At this width (0.25) the folds of four switches weigh about as much as the bits; width 1 is in docs/results/deployment.
        Assert.InRange(all, 1, full / 5);
    }

    [Fact]
    public void ADamagedCompactEntryFailsCleanlyNamingThePart()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var good = Export(model, data, "good.zip", Exported);
        var cases = new (string Name, Func<byte[], byte[]> Change, string Message)[]
        {
            ("truncated", b => b[..(b.Length - 7)], $"The compact model (SpNetCompact.bin) is truncated: "),
            ("trailing", b => [.. b, 1, 2, 3], "The compact model (SpNetCompact.bin) has 3 bytes after its "),
            ("corrupted", b => { b[b.Length - 100] ^= 0x21; return b; }, "The compact model (SpNetCompact.bin) is corrupted: its checksum does not match."),
            ("header", b => { b[3] ^= 0x01; return b; }, "The data is not a compact switchable-precision model (wrong signature)."),
            ("newer", b => { b[8] = 9; return b; }, "The compact model (SpNetCompact.bin) was written in format version 9; this build of Microsoft.ML.SwitchablePrecision reads up to version 2."),
            // A forged payload with a correct checksum: the plans stop halfway.
            ("forged", b => Reseal(b, b[52..(b.Length - b.Length / 3)]), "The compact model (SpNetCompact.bin)"),
        };
        foreach (var (name, change, message) in cases)
        {
            var path = Path.Combine(_folder, name + ".zip");
            File.Copy(good, path);
            RewriteWeightsEntry(path, change, suffix: CompactEntrySuffix);
            AssertLoadFails(path, message);
        }
        // A full model's entry beside the compact one: which would be the model?
        var both = Path.Combine(_folder, "both.zip");
        File.Copy(good, both);
        string compactName;
        using (var zip = ZipFile.OpenRead(both)) compactName = zip.Entries.Single(e => e.Name == CompactEntrySuffix).FullName;
        AddEntry(both, compactName.Replace(CompactEntrySuffix, WeightsEntrySuffix, StringComparison.Ordinal), ReadWeightsEntry(good, CompactEntrySuffix));
        AssertLoadFails(both, $"holds both '{compactName.Replace(CompactEntrySuffix, WeightsEntrySuffix, StringComparison.Ordinal)}' and '{compactName}'");
    }

    [Fact]
    public void DamagedFieldsOfTheCompressedPlansFailCleanlyNamingTheField()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var good = Export(model, data, "good.zip", Exported);
        var entry = ReadWeightsEntry(good, CompactEntrySuffix);
        var cases = new (string Name, Func<byte[], byte[]> Change, string Message)[]
        {
            ("storage", e => WithBody(e, b => { b[0] = 7; return b; }), "The float storage is 7, which this build does not know (0: float32, 1: float16)."),
            ("float count", e => WithBody(e, b => { BitConverter.TryWriteBytes(b.AsSpan(1), 1 << 28); return b; }), "'s float value count declares 268435456 entries, but only "),
            ("cut", e => WithBody(e, b => b[..(b.Length * 2 / 3)]), "The compact model (SpNetCompact.bin)"),
            ("tail", e => WithBody(e, b => [.. b, 0]), "The compact model (SpNetCompact.bin) has 1 bytes after its layer costs, inside its payload."),
            ("length", e => WithDeclaredLength(e, n => n + 1), "The compact model (SpNetCompact.bin)'s compressed plans are damaged: they do not decompress to exactly the declared "),
            ("bomb", e => WithDeclaredLength(e, _ => int.MaxValue), "The compact model (SpNetCompact.bin)'s compressed plans declare 2147483647 bytes from "),
            ("not brotli", e => { var b = (byte[])e.Clone(); b.AsSpan(BodyOffset(e) + 4).Fill(0xA5); return Reseal(e, b[52..]); }, "'s compressed plans are damaged"),
        };
        foreach (var (name, change, message) in cases)
        {
            var path = Path.Combine(_folder, name.Replace(' ', '-') + ".zip");
            File.Copy(good, path);
            RewriteWeightsEntry(path, _ => change(entry), suffix: CompactEntrySuffix);
            AssertLoadFails(path, message);
        }
    }

    [Fact]
    public void ForgedPlansInsideACorrectCompressionAndChecksumFailCleanlyOrLoadAModelThatScores()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var good = Export(model, data, "good.zip", Exported, InferenceFloatStorage.Float16);
        var entry = ReadWeightsEntry(good, CompactEntrySuffix);
        var random = new Random(2027);
        int failed = 0;
        for (int i = 0; i < 60; i++)
        {
            var forged = WithBody(entry, b =>
            {
                int at = random.Next(b.Length);
                b[at] = i % 3 == 0 ? (byte)0xFF : (byte)(b[at] ^ (1 << random.Next(8)));
                return b;
            });
            var path = Path.Combine(_folder, $"forged-plans{i}.zip");
            File.Copy(good, path);
            RewriteWeightsEntry(path, _ => forged, suffix: CompactEntrySuffix);
            try
            {
                Assert.Equal(8, Scores(_ml.Model.LoadChecked(path, out _), data).Count);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith($"Model file '{path}'", e.Message);
                failed++;
            }
        }
        Assert.True(failed > 0, "no forged plans were refused");
    }

    [Fact]
    public void AFloat16ExportStoresTheRoundedFoldsAndFloatLayersAndPredictsWithThemAfterLoading()
    {
        var (model, data) = Pipeline(_ml, 10, Switches);
        var exactPath = Export(model, data, "exact.zip", Switches);
        var halfPath = Export(model, data, "half.zip", Switches, InferenceFloatStorage.Float16);
        var exact = SpNetCatalog.FindSpNet(_ml.Model.Load(exactPath, out _))!.Exported!;
        var halfModel = _ml.Model.Load(halfPath, out var schema);
        var half = SpNetCatalog.FindSpNet(halfModel)!.Exported!;
        Assert.Equal(InferenceFloatStorage.Float32, exact.FloatStorage);
        Assert.Equal(InferenceFloatStorage.Float16, half.FloatStorage);
        int rounded = 0, changed = 0;
        foreach (var (e, h) in exact.Descriptions.SelectMany(d => d.Layers).Zip(half.Descriptions.SelectMany(d => d.Layers)))
        {
            Assert.Equal(e.Name, h.Name);
            if (e.Fold is null) continue;
            var pairs = e.Fold.Multiplier.Concat(e.Fold.Bias).Zip(h.Fold!.Multiplier.Concat(h.Fold.Bias));
            if (e.Weights!.IsFullPrecision) pairs = pairs.Concat(e.Weights.Values.Zip(h.Weights!.Values));
            foreach (var (x, y) in pairs)
            {
                Assert.Equal((float)(Half)x, y);
                rounded++;
                changed += x != y ? 1 : 0;
            }
            if (!e.Weights.IsFullPrecision) Assert.Equal(e.Weights.Levels, h.Weights!.Levels);
        }
        Assert.True(changed > rounded / 4, $"only {changed} of {rounded} values changed by rounding");
        long exactBytes = ReadWeightsEntry(exactPath, CompactEntrySuffix).Length, halfBytes = ReadWeightsEntry(halfPath, CompactEntrySuffix).Length;
        Assert.InRange(halfBytes, 1, exactBytes - exactBytes / 10);

        // Saved again it stays float16 byte for byte, and scores as loaded; the scores are the float16 plans' own.
        var again = Path.Combine(_folder, "again.zip");
        _ml.Model.Save(halfModel, schema, again);
        Assert.Equal(ReadWeightsEntry(halfPath, CompactEntrySuffix), ReadWeightsEntry(again, CompactEntrySuffix));
        var rows = Rows(12, 10, seed: 5);
        var view = _ml.Data.LoadFromEnumerable(rows);
        var halfScores = Scores(halfModel, view);
        Assert.Equal(halfScores, Scores(_ml.Model.Load(again, out _), view));
        var logits = new float[rows.Count * 10];
        var pixels = rows.SelectMany(r => r.Features!).ToArray();
        var halfSpNet = SpNetCatalog.FindSpNet(halfModel)!;
        half.Plan(half.IndexOf(halfSpNet.Precision)).Predict(pixels, rows.Count, logits);
        SwitchablePrecision.Inference.ScoringPolicy.Softmax(logits, 10);
        Assert.Equal(logits, halfScores.SelectMany(s => s));
    }

    [Fact]
    public void Float16StorageRefusesAValueBeyondItsRangeAndAnUnknownStorageIsRefused()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var exported = SpNetCatalog.FindSpNet(_ml.Model.Load(Export(model, data, "exact.zip", Exported), out _))!.Exported!;
        var description = exported.Descriptions[1];
        var layer = description.Layers[3];
        var large = layer.Fold! with { Multiplier = layer.Fold.Multiplier.Select((m, i) => i == 2 ? 70000f : m).ToArray() };
        var edited = description with { Layers = description.Layers.Select((l, i) => i == 3 ? l with { Fold = large } : l).ToArray() };
        var error = Assert.Throws<ArgumentException>(() => SwitchablePrecision.Persistence.HalfPrecisionRounding.Round([edited]));
        Assert.Equal($"Layer {layer.Name} at {description.Precision} has folded multipliers up to 70000, beyond float16's largest value 65504: export it with FloatStorage = Float32.", error.Message);

        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Model.SaveForInference(model, data.Schema, Path.Combine(_folder, "x.zip"), Exported,
            new InferenceExportOptions { FloatStorage = (InferenceFloatStorage)7 }));
        Assert.StartsWith("FloatStorage is 7; expected Float32 or Float16.", unknown.Message);
    }

    private static int BodyOffset(byte[] entry) => 52 + sizeof(int) + BitConverter.ToInt32(entry, 52);

    // The entry with its compressed plans replaced by change(original plans), compressed again, with a correct checksum.
    private static byte[] WithBody(byte[] entry, Func<byte[], byte[]> change)
    {
        int offset = BodyOffset(entry);
        var body = change(SwitchablePrecision.Persistence.CompressedBody.Read(entry, offset, "test"));
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload))
        {
            writer.Write(entry, 52, offset - 52);
            SwitchablePrecision.Persistence.CompressedBody.Write(writer, body);
        }
        return Reseal(entry, payload.ToArray());
    }

    private static byte[] WithDeclaredLength(byte[] entry, Func<int, int> change)
    {
        var copy = (byte[])entry.Clone();
        int offset = BodyOffset(entry);
        BitConverter.TryWriteBytes(copy.AsSpan(offset), change(BitConverter.ToInt32(entry, offset)));
        return Reseal(entry, copy[52..]);
    }

    [Fact]
    public void ForgedPayloadsWithACorrectChecksumFailCleanlyOrLoadAModelThatScores()
    {
        var (model, data) = Pipeline(_ml, 4, Switches);
        var good = Export(model, data, "good.zip", Exported);
        var entry = ReadWeightsEntry(good, CompactEntrySuffix);
        var random = new Random(2026);
        int failed = 0;
        for (int i = 0; i < 60; i++)
        {
            var payload = entry[52..];
            int at = random.Next(payload.Length);
            payload[at] = i % 3 == 0 ? (byte)0xFF : (byte)(payload[at] ^ (1 << random.Next(8)));
            var path = Path.Combine(_folder, $"forged{i}.zip");
            File.Copy(good, path);
            RewriteWeightsEntry(path, _ => Reseal(entry, payload), suffix: CompactEntrySuffix);
            try
            {
                var loaded = _ml.Model.LoadChecked(path, out _);
                // A flip in a weight, fold or name can be a valid model: it must still score (into its own score
                // column: a flip in the stored column name renames it).
                var column = SpNetCatalog.FindSpNet(loaded)!.Options.ScoreColumnName;
                Assert.Equal(8, loaded.Transform(data).GetColumn<float[]>(column).Count());
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith($"Model file '{path}'", e.Message);
                failed++;
            }
        }
        Assert.True(failed > 0, "no forged payload was refused");
    }

    private void AssertLoadFails(string path, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadChecked(path, out _));
        Assert.StartsWith($"Model file '{path}'", error.Message);
        Assert.Contains(message, error.Message);
    }

    private string Export(ITransformer model, IDataView data, string name, IEnumerable<Precision> switches,
        InferenceFloatStorage storage = InferenceFloatStorage.Float32)
    {
        var path = Path.Combine(_folder, name);
        if (storage == InferenceFloatStorage.Float32) _ml.Model.SaveForInference(model, data.Schema, path, switches);
        else _ml.Model.SaveForInference(model, data.Schema, path, switches, new InferenceExportOptions { FloatStorage = storage });
        return path;
    }

    private List<float[]> EngineScores(ITransformer model, IEnumerable<Row> rows)
    {
        var engine = _ml.Model.CreatePredictionEngine<Row, Prediction>(model);
        return rows.Select(r => engine.Predict(r).Score).ToList();
    }

    private static string[] EntrySuffixes(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e => e.Name).Where(n => n.StartsWith("SpNet", StringComparison.Ordinal)).ToArray();
    }
}
