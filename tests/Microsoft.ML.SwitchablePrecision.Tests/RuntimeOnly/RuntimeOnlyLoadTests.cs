using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Compatibility;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.RuntimeOnly;

/// <summary>
/// Full models loaded by an application that references the prediction runtime alone (tests/SpNet.RuntimeProbe, run as a
/// child process, so the training assembly is really absent): on the stored weights' plans, with the recorded scores of
/// format-version-1 models, the plans the TorchSharp-loaded model computes bit for bit, an unchanged save, the training
/// side's report and compact export, and a clear error naming the training package for what needs TorchSharp's network.
/// </summary>
public sealed class RuntimeOnlyLoadTests(RuntimeOnlyLoadTests.ProbeRuns probes) : IClassFixture<RuntimeOnlyLoadTests.ProbeRuns>
{
    private static readonly string[] ModelNames = ["dorefa", "pact", "lsq"];

    public static TheoryData<string> Models => new(ModelNames);

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1");

    /// <summary>Runs the probe once per model (the three in parallel) and keeps what each wrote.</summary>
    public sealed class ProbeRuns : IDisposable
    {
        private readonly string _temp = Directory.CreateTempSubdirectory("spnet-runtime-only-").FullName;

        public ProbeRuns()
        {
            var runs = ModelNames.ToDictionary(name => name, name => Task.Run(() => Run(name)));
            Outputs = runs.ToDictionary(r => r.Key, r => r.Value.GetAwaiter().GetResult());
        }

        /// <summary>The output folder of each model's probe run.</summary>
        public IReadOnlyDictionary<string, string> Outputs { get; }

        private async Task<string> Run(string name)
        {
            string output = Path.Combine(_temp, name);
            var (exit, stdout, stderr) = await Reliability.ProcessRuns.RunAsync("SpNet.RuntimeProbe",
                Path.Combine(Folder, $"{name}.zip"), SubsetData.Folder, output);
            Assert.True(exit == 0, $"SpNet.RuntimeProbe on {name}.zip exited with {exit}:\n{stdout}\n{stderr}");
            return output;
        }

        public void Dispose() => Directory.Delete(_temp, recursive: true);
    }

    private string Output(string name, string file) => Path.Combine(probes.Outputs[name], file);

    [Theory]
    [MemberData(nameof(Models))]
    public void TheProbeIsARuntimeOnlyProcessThatNeverLoadsTheTrainingAssemblyOrLibtorch(string name)
    {
        Assert.Equal(["native: -", "training: no"], File.ReadAllLines(Output(name, "process.txt")));
        // The training assembly is in the same folder as the probe: only the probe's dependencies decide what loads.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, TrainingAssembly.Name + ".dll")));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void AVersion1ModelLoadsWithoutTheTrainingAssemblyAndGivesItsRecordedScoresAtEverySwitch(string name)
    {
        var recorded = RecordedScores.Read(Path.Combine(Folder, $"{name}.scores.json"));
        var loaded = File.ReadAllLines(Output(name, "loaded.txt"));
        Assert.Equal(recorded.ActivePrecision, loaded[0]);
        Assert.Equal(recorded.Scores.Keys.Order(), loaded.Skip(1).Order());
        var scores = ReadScores(Output(name, "scores.txt"));
        foreach (var (switchName, expected) in recorded.Scores)
            for (int i = 0; i < expected.Length; i++)
            {
                var actual = scores[(switchName, "batch", i)];
                Assert.Equal(expected[i].Length, actual.Length);
                for (int c = 0; c < actual.Length; c++)
                    Assert.True(Math.Abs(expected[i][c] - actual[c]) <= RecordedScores.Tolerance,
                        $"{name} {switchName} image {i} class {c}: recorded {expected[i][c]}, runtime-only {actual[c]}");
            }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void WithoutTheTrainingAssemblyEveryBatchAndSingleRowGivesTheTorchSharpLoadedModelsPlanScoresBitForBit(string name)
    {
        var context = new MLContext(seed: 1);
        var torch = context.Model.Load(Path.Combine(Folder, $"{name}.zip"), out _);
        using var torchNet = SpNetCatalog.FindSpNet(torch)!;
        Assert.IsType<TorchNetworkBackend>(torchNet.Backend);
        var inputs = context.Data.CreateEnumerable<Row>(RecordedScores.Images(context), reuseRowObject: false).ToArray();
        var scores = ReadScores(Output(name, "scores.txt"));
        foreach (var precision in torchNet.Switches)
        {
            // The TorchSharp-loaded model's plan, row by row (a single image always runs on the plan); the runtime has no
            // TorchSharp path to choose, so it scores its batch of 8 on the plan at every switch too.
            torchNet.Precision = precision;
            using var engine = context.Model.CreatePredictionEngine<Row, Scored>(torch, new PredictionEngineOptions { OwnsTransformer = false });
            for (int i = 0; i < inputs.Length; i++)
            {
                var expected = Bits(engine.Predict(inputs[i]).Score);
                Assert.Equal(expected, Bits(scores[(precision.ToString(), "single", i)]));
                Assert.Equal(expected, Bits(scores[(precision.ToString(), "batch", i)]));
            }
        }
    }

    [Fact]
    public void AModelLoadedWithoutTheTrainingAssemblySavesItsStoredWeightsUnchanged()
    {
        string resaved = Output("pact", "resaved.zip");
        var original = ReadStored(Path.Combine(Folder, "pact.zip"));
        var copy = ReadStored(resaved);
        Assert.Equal(original.Options.Switches, copy.Options.Switches);
        Assert.Equal(original.Metadata.ActivePrecision, copy.Metadata.ActivePrecision);
        Assert.Equal(original.Metadata.ClassNames, copy.Metadata.ClassNames);
        Assert.Equal(original.Tensors.Tensors.Select(t => t.Name), copy.Tensors.Tensors.Select(t => t.Name));
        foreach (var (a, b) in original.Tensors.Tensors.Zip(copy.Tensors.Tensors))
        {
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.Floats.Select(BitConverter.SingleToInt32Bits), b.Floats.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(a.Integers, b.Integers);
        }
        // And the training side reads the saved copy into its TorchSharp network.
        using var reloaded = SpNetCatalog.FindSpNet(new MLContext(seed: 1).Model.Load(resaved, out _))!;
        Assert.IsType<TorchNetworkBackend>(reloaded.Backend);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void WhatNeedsTheTorchSharpNetworkFailsNamingTheTrainingPackage(string name)
    {
        var errors = File.ReadAllLines(Output(name, "errors.txt"));
        Assert.StartsWith("This SP-Net was loaded by the prediction runtime alone (Microsoft.ML.SwitchablePrecision, without TorchSharp)", errors[0]);
        Assert.EndsWith("the application must reference the Microsoft.ML.SwitchablePrecision.Training package.", errors[0]);
        Assert.Equal("False", errors[1]);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void WithoutTheTrainingAssemblyTheReportAndTheExportForInferenceEqualTheTrainingSides(string name)
    {
        var context = new MLContext(seed: 1);
        var torch = context.Model.Load(Path.Combine(Folder, $"{name}.zip"), out var schema);
        using var torchNet = SpNetCatalog.FindSpNet(torch)!;
        Assert.Equal(torchNet.GetPrecisionReport().ToTable(), File.ReadAllText(Output(name, "report.txt")));

        // The compact model holds the plans and the layer costs: byte for byte the training side's export.
        string fromTorch = Path.Combine(probes.Outputs[name], "torch-compact.zip");
        context.Model.SaveForInference(torch, schema, fromTorch, torchNet.Switches);
        Assert.Equal(Entry(fromTorch, "SpNetCompact.bin"), Entry(Output(name, "compact.zip"), "SpNetCompact.bin"));
    }

    private static Dictionary<(string Precision, string Path, int Image), float[]> ReadScores(string path) =>
        File.ReadLines(path).Select(line => line.Split('\t')).ToDictionary(
            f => (f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture)),
            f => f[3].Split(' ').Select(h => BitConverter.Int32BitsToSingle(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray());

    private static byte[] Entry(string path, string name)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(path);
        using var entry = archive.Entries.Single(e => e.Name == name).Open();
        using var copy = new MemoryStream();
        entry.CopyTo(copy);
        return copy.ToArray();
    }

    private static SwitchablePrecision.Inference.Stored.StoredModel ReadStored(string path)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(path);
        using var entry = archive.Entries.Single(e => e.Name == "SpNetModel.bin").Open();
        return SwitchablePrecision.Inference.Stored.StoredModel.Read(entry);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

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
