using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Compatibility;

namespace Microsoft.ML.SwitchablePrecision.Tests.RuntimeOnly;

/// <summary>
/// Full models loaded as an application without the training assembly loads them (<see cref="TrainingAssembly.HideForTests"/>:
/// in this test's async flow only): on the stored weights' plans, with the recorded scores of format-version-1 models,
/// the plans the TorchSharp-loaded model computes bit for bit, an unchanged save, and a clear error naming the training
/// package for what needs TorchSharp's network.
/// </summary>
public sealed class RuntimeOnlyLoadTests : IDisposable
{
    public static TheoryData<string> Models => new() { "dorefa", "pact", "lsq" };

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1");
    private readonly string _temp = Directory.CreateTempSubdirectory("spnet-runtime-only-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static ITransformer LoadRuntimeOnly(MLContext context, string path) => LoadRuntimeOnly(context, path, out _);

    private static ITransformer LoadRuntimeOnly(MLContext context, string path, out DataViewSchema schema)
    {
        using var hidden = TrainingAssembly.HideForTests();
        return context.Model.Load(path, out schema);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void AVersion1ModelLoadsWithoutTheTrainingAssemblyAndGivesItsRecordedScoresAtEverySwitch(string name)
    {
        var recorded = RecordedScores.Read(Path.Combine(Folder, $"{name}.scores.json"));
        var context = new MLContext(seed: 1);
        var model = LoadRuntimeOnly(context, Path.Combine(Folder, $"{name}.zip"));
        var spNet = SpNetCatalog.FindSpNet(model)!;
        Assert.IsType<StoredNetworkBackend>(spNet.Backend);
        Assert.False(spNet.IsExportedForInference);
        Assert.Equal(Precision.Parse(recorded.ActivePrecision), spNet.Precision);
        recorded.AssertScores(context, model, spNet, RecordedScores.Images(context), name, spNet.Precision);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void WithoutTheTrainingAssemblyEveryBatchAndSingleRowGivesTheTorchSharpLoadedModelsPlanScoresBitForBit(string name)
    {
        var context = new MLContext(seed: 1);
        string path = Path.Combine(Folder, $"{name}.zip");
        var runtime = LoadRuntimeOnly(context, path);
        var torch = context.Model.Load(path, out _);
        var (runtimeNet, torchNet) = (SpNetCatalog.FindSpNet(runtime)!, SpNetCatalog.FindSpNet(torch)!);
        using var disposeTorch = torchNet;
        Assert.IsType<TorchNetworkBackend>(torchNet.Backend);
        var images = RecordedScores.Images(context);
        var inputs = context.Data.CreateEnumerable<Row>(images, reuseRowObject: false).ToArray();
        foreach (var precision in torchNet.Switches)
        {
            // The TorchSharp-loaded model's plan, row by row (a single image always runs on the plan).
            torchNet.Precision = precision;
            using var torchEngine = context.Model.CreatePredictionEngine<Row, Scored>(torch, new PredictionEngineOptions { OwnsTransformer = false });
            var expected = inputs.Select(r => torchEngine.Predict(r).Score).ToArray();

            runtimeNet.Precision = precision;
            using var engine = context.Model.CreatePredictionEngine<Row, Scored>(runtime, new PredictionEngineOptions { OwnsTransformer = false });
            var single = inputs.Select(r => engine.Predict(r).Score).ToArray();
            // A batch of 8: the runtime has no TorchSharp path to choose, so it scores on the plan at every switch.
            var batched = context.Data.CreateEnumerable<Scored>(runtime.Transform(images), reuseRowObject: false).Select(r => r.Score).ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(Bits(expected[i]), Bits(single[i]));
                Assert.Equal(Bits(expected[i]), Bits(batched[i]));
            }
        }
    }

    [Fact]
    public void AModelLoadedWithoutTheTrainingAssemblySavesItsStoredWeightsUnchanged()
    {
        var context = new MLContext(seed: 1);
        string path = Path.Combine(Folder, "pact.zip");
        var runtime = LoadRuntimeOnly(context, path, out var schema);
        var resaved = Path.Combine(_temp, "resaved.zip");
        context.Model.Save(runtime, schema, resaved);

        var original = ReadStored(path);
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
        var reloaded = SpNetCatalog.FindSpNet(context.Model.Load(resaved, out _))!;
        using var dispose = reloaded;
        Assert.IsType<TorchNetworkBackend>(reloaded.Backend);
    }

    [Fact]
    public void WhatNeedsTheTorchSharpNetworkFailsNamingTheTrainingPackage()
    {
        var context = new MLContext(seed: 1);
        var spNet = SpNetCatalog.FindSpNet(LoadRuntimeOnly(context, Path.Combine(Folder, "dorefa.zip")))!;
        const string Expected = "This SP-Net was loaded by the prediction runtime alone (Microsoft.ML.SwitchablePrecision, without TorchSharp)";
        var packed = Assert.Throws<InvalidOperationException>(() => spNet.UsePackedKernels = true);
        Assert.StartsWith(Expected, packed.Message);
        Assert.EndsWith("the application must reference the Microsoft.ML.SwitchablePrecision.Training package.", packed.Message);
        Assert.StartsWith(Expected, Assert.Throws<InvalidOperationException>(() => spNet.Network).Message);
        Assert.False(spNet.UsePackedKernels);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void WithoutTheTrainingAssemblyTheReportAndTheExportForInferenceEqualTheTrainingSides(string name)
    {
        var context = new MLContext(seed: 1);
        string path = Path.Combine(Folder, $"{name}.zip");
        var runtime = LoadRuntimeOnly(context, path, out var schema);
        var torch = context.Model.Load(path, out _);
        var (runtimeNet, torchNet) = (SpNetCatalog.FindSpNet(runtime)!, SpNetCatalog.FindSpNet(torch)!);
        using var disposeTorch = torchNet;
        Assert.Equal(torchNet.GetPrecisionReport().ToTable(), runtimeNet.GetPrecisionReport().ToTable());
        Assert.Equal(torchNet.GetPrecisionReport().Layers, runtimeNet.GetPrecisionReport().Layers);

        // The compact model holds the plans and the layer costs: byte for byte the training side's export.
        var (fromRuntime, fromTorch) = (Path.Combine(_temp, "runtime.zip"), Path.Combine(_temp, "torch.zip"));
        context.Model.SaveForInference(runtime, schema, fromRuntime, runtimeNet.Switches);
        context.Model.SaveForInference(torch, schema, fromTorch, torchNet.Switches);
        Assert.Equal(Entry(fromTorch, "SpNetCompact.bin"), Entry(fromRuntime, "SpNetCompact.bin"));
    }

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
