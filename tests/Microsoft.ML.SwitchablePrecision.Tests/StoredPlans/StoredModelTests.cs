using System.IO.Compression;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;
using static Microsoft.ML.SwitchablePrecision.Tests.Modules.PackedNetworks;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>
/// Full models saved by an earlier build (format version 1, tests/.../Assets/saved-models-v1) read without TorchSharp
/// give, at every stored switch, the plans the model loaded through ML.NET computes, bit for bit.
/// </summary>
public class StoredModelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Models => new() { "dorefa", "pact", "lsq" };

    [Theory]
    [MemberData(nameof(Models))]
    public void AVersion1ModelReadWithoutTorchSharpGivesTheLoadedModelsPlansAtEverySwitch(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1", $"{name}.zip");
        StoredModel stored;
        using (var archive = ZipFile.OpenRead(path))
        using (var entry = archive.Entries.Single(e => e.Name == "SpNetModel.bin").Open())
            stored = StoredModel.Read(entry);

        var model = new MLContext(seed: 1).Model.Load(path, out _);
        using var spNet = SpNetCatalog.FindSpNet(model)!;
        var network = spNet.Network;
        Assert.Equal(network.Options.Switches, stored.Options.Switches);
        Assert.Equal(network.Options.Quantizer, stored.Options.Quantizer);
        using var scope = NewDisposeScope();
        var pixels = RealImages(0, 8).contiguous().data<float>().ToArray();
        foreach (var precision in stored.Options.Switches)
        {
            var fromFile = stored.Compile(precision);
            var loaded = network.Plans.Get(precision);
            var (expected, actual) = (new float[8 * loaded.Classes], new float[8 * fromFile.Classes]);
            loaded.Predict(pixels, 8, expected, threads: 1);
            fromFile.Predict(pixels, 8, actual, threads: 1);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
            Assert.True(StoredStates.Compare(SwitchablePrecision.Inference.InferencePlanCompiler.Describe(network, precision), stored.Describe(precision)).IsNone);

            // These networks are trained: against TorchSharp's own quantizers, as for the calibrated ones (StoredPlanAgreementTests).
            var torch = StoredStates.Compare(
                SwitchablePrecision.Inference.Builders.PlanWalks.Required(network.Options.Architecture)(new SwitchablePrecision.Inference.Builders.PlanBuilder(new LiveLayerSource(network), precision)),
                stored.Describe(precision));
            output.WriteLine($"{name} {precision} against the TorchSharp quantizers: {torch}");
            Assert.Empty(torch.Folds);
            Assert.Empty(torch.InputForms);
            Assert.Equal(0, torch.Levels);
            Assert.InRange(torch.LargestScaleUlps, 0, 2);
        }
    }

    [Fact]
    public async Task AnotherProcessBuildsTheStoredModelsPlansWithoutLoadingLibtorchAndPredictsAsTheLoadedModel()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1", "pact.zip");
        var probe = await Reliability.ProcessRuns.RunAsync("SpNet.ModelLoadProbe", "stored-plans", path);
        Assert.True(probe.ExitCode == 0, probe.Error);
        var lines = probe.Out.Trim().Split('\n');
        Assert.Equal("native: -", lines[^1]);

        var model = new MLContext(seed: 1).Model.Load(path, out _);
        using var spNet = SpNetCatalog.FindSpNet(model)!;
        var expected = spNet.Switches.Select(precision =>
        {
            var plan = spNet.Network.Plans.Get(precision);
            var logits = new float[plan.Classes];
            plan.Predict(Enumerable.Repeat(0.5f, plan.InputLength).ToArray(), 1, logits, threads: 1);
            return precision + "\t" + string.Join(" ", logits.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        });
        Assert.Equal(expected, lines[..^1]);
    }

    [Fact]
    public void ATruncatedOrCorruptModelFileFailsCleanly()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Assets", "saved-models-v1", "lsq.zip");
        byte[] bytes;
        using (var archive = ZipFile.OpenRead(path))
        using (var entry = archive.Entries.Single(e => e.Name == "SpNetModel.bin").Open())
        using (var copy = new MemoryStream())
        {
            entry.CopyTo(copy);
            bytes = copy.ToArray();
        }
        var truncated = Assert.Throws<InvalidDataException>(() => StoredModel.Read(new MemoryStream(bytes[..(bytes.Length / 2)])));
        Assert.StartsWith("The model is truncated", truncated.Message);
        bytes[^5] ^= 0x40;
        var error = Assert.Throws<InvalidDataException>(() => StoredModel.Read(new MemoryStream(bytes)));
        Assert.Equal("The model is corrupted: its checksum does not match.", error.Message);
    }
}
