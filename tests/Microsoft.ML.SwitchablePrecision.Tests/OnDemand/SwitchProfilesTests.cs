using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.OnDemand;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Xunit.Abstractions;

namespace Microsoft.ML.SwitchablePrecision.Tests.OnDemand;

/// <summary>Profiles of a small SP-Net trained on real Fashion-MNIST images, and budget selection over them.</summary>
public sealed class SwitchProfilesTests : IClassFixture<SwitchProfilesTests.SmallModel>
{
    private static readonly Precision[] Switches = [new(1, 1), new(1, 2), new(1, 32)];

    public sealed class Row
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    public static IDataView Rows(MLContext ml, SwitchablePrecision.Data.ImageDataset data) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, data.Count).Select(i => new Row
    {
        Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray(),
        Label = data.ClassNames[data.Labels[i]],
    }).ToList());

    public sealed class SmallModel : IDisposable
    {
        public SmallModel()
        {
            Context = new MLContext(seed: 3);
            Context.Log += (_, e) => { lock (Log) Log.Add(e.RawMessage); };
            Train = Rows(Context, SubsetData.Balanced(SubsetData.Train, 40));
            Validation = Rows(Context, SubsetData.Balanced(SubsetData.Test, 20));
            var keys = Context.Transforms.Conversion.MapValueToKey("Label").Fit(Train);
            ValidationKeyed = keys.Transform(Validation);
            SpNet = Context.Transforms.SpNet(Options(v => v.ValidationSet = ValidationKeyed)).Fit(keys.Transform(Train));
            Keys = keys;
        }

        public static SpNetOptions Options(Action<SpNetOptions> set)
        {
            var options = new SpNetOptions { Switches = Switches, Epochs = 2, BatchSize = 16, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4, WidthMultiplier = 0.25 };
            set(options);
            return options;
        }

        public MLContext Context { get; }
        public IDataView Train { get; }
        public IDataView Validation { get; }
        public IDataView ValidationKeyed { get; }
        public ITransformer Keys { get; }
        public SwitchablePrecisionTransformer SpNet { get; }
        public List<string> Log { get; } = [];

        public void Dispose() => SpNet.Dispose();
    }

    private readonly SmallModel _model;

    private readonly ITestOutputHelper _output;

    public SwitchProfilesTests(SmallModel model, ITestOutputHelper output)
    {
        _model = model;
        _output = output;
    }

    [Fact]
    public void ProfilesCarryTheReportsSizesAndTheValidationAccuracy()
    {
        var spNet = _model.SpNet;
        var profiles = spNet.Profiles;
        var report = spNet.GetPrecisionReport();
        var evaluation = spNet.EvaluateSwitches(_model.ValidationKeyed);

        Assert.Equal(Switches, profiles.Select(p => p.Precision));
        for (int i = 0; i < profiles.Count; i++)
        {
            Assert.Equal(report.Switches[i].PackedWeightBytes, profiles[i].WeightBytes);
            Assert.Equal(report.Switches[i].TotalMacs, profiles[i].TotalMacs);
            Assert.Equal(OperationEnergyEstimates.EstimatedJoulesPerImage(report.Switches[i]), profiles[i].EstimatedEnergyPerImage);
            Assert.True(profiles[i].PeakWorkingBytes > 0);
            // The profile's accuracy comes from the TorchSharp forward, EvaluateSwitches may use the compiled plan: one image of 200 at most apart.
            Assert.InRange(profiles[i].Accuracy!.Value, evaluation[i].Metrics.MicroAccuracy - 0.005, evaluation[i].Metrics.MicroAccuracy + 0.005);
        }
        // Chance is 0.1; on 200 images 0.2 lies more than four standard deviations above it.
        Assert.True(profiles.Max(p => p.Accuracy) > 0.2, "a trained switch beats chance on Fashion-MNIST: " + string.Join(", ", profiles.Select(p => p.Accuracy)));
        Assert.True(profiles[2].EstimatedEnergyPerImage > profiles[1].EstimatedEnergyPerImage);
        Assert.True(profiles[1].EstimatedEnergyPerImage > profiles[0].EstimatedEnergyPerImage);
        lock (_model.Log) Assert.Contains(_model.Log, m => m.StartsWith("Profile accuracy on 200 held-out images: W1A1 ", StringComparison.Ordinal));
    }

    [Fact]
    public void SelectPrecisionPicksTheMostAccurateSwitchWithinTheBudgetOfRealProfiles()
    {
        var spNet = _model.SpNet;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var latencies = spNet.MeasureLatency();
        _output.WriteLine($"MeasureLatency took {watch.ElapsedMilliseconds} ms: " + string.Join(", ", latencies.Select(l => $"{l.SingleImage.TotalMilliseconds:F2} / {l.ScoringBatch.TotalMilliseconds:F1} ms")));
        var profiles = spNet.Profiles;
        Assert.All(profiles, p => Assert.True(p.Latency!.SingleImage > TimeSpan.Zero));
        Assert.Equal(latencies, profiles.Select(p => p.Latency));

        // Energy at most that of W1A2 excludes W1A32; the answer is the more accurate of W1A1 and W1A2 (ties: W1A1, the cheaper).
        var energy = new PrecisionBudget { MaxEnergyPerImage = profiles[1].EstimatedEnergyPerImage };
        var expected = profiles[1].Accuracy > profiles[0].Accuracy ? Switches[1] : Switches[0];
        Assert.Equal(expected, spNet.SelectPrecision(energy).Precision);

        // Everything allowed: the most accurate switch of all.
        var slowest = profiles.Max(p => p.Latency!.SingleImage);
        var best = profiles.OrderByDescending(p => p.Accuracy).ThenBy(p => p.EstimatedEnergyPerImage).First().Precision;
        Assert.Equal(best, spNet.SelectPrecision(new PrecisionBudget { MaxLatency = slowest }).Precision);

        // An accuracy no switch reached: nothing fits, and every switch says so.
        double above = profiles.Max(p => p.Accuracy!.Value) + 0.001;
        var none = spNet.SelectPrecision(new PrecisionBudget { MinAccuracy = Math.Min(1, above) });
        Assert.False(none.Fits);
        Assert.All(Switches, s => Assert.Equal(BudgetLimit.Accuracy, Assert.Single(none.ViolationsOf(s)).Limit));

        spNet.Precision = spNet.SelectPrecision(energy).Precision;
        Assert.Equal(expected, spNet.Precision);
    }

    [Fact]
    public void AccuraciesAreSavedWithTheModelAndLatencyIsNot()
    {
        var spNet = _model.SpNet;
        spNet.MeasureLatency();
        var path = Path.Combine(Path.GetTempPath(), $"spnet-profiles-{Guid.NewGuid():N}.zip");
        try
        {
            _model.Context.Model.Save(spNet, _model.ValidationKeyed.Schema, path);
            using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
                foreach (var entry in zip.Entries)
                {
                    using var reader = new StreamReader(entry.Open(), System.Text.Encoding.Latin1);
                    Assert.DoesNotContain("Latency", reader.ReadToEnd(), StringComparison.OrdinalIgnoreCase);
                }
            using var loaded = (SwitchablePrecisionTransformer)_model.Context.Model.Load(path, out _);
            Assert.Equal(spNet.Profiles.Select(p => p.Accuracy), loaded.Profiles.Select(p => p.Accuracy));
            Assert.Equal(spNet.Profiles.Select(p => p.WeightBytes), loaded.Profiles.Select(p => p.WeightBytes));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheFirstReadOfProfilesMeasuresLatencyOnceAndLaterReadsReuseIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"spnet-lazy-{Guid.NewGuid():N}.zip");
        try
        {
            _model.Context.Model.Save(_model.SpNet, _model.ValidationKeyed.Schema, path);
            using var loaded = (SwitchablePrecisionTransformer)_model.Context.Model.Load(path, out _);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var firstReads = new IReadOnlyList<SwitchProfile>[4];
            Parallel.For(0, firstReads.Length, i => firstReads[i] = loaded.Profiles);
            _output.WriteLine($"First reads of Profiles (measuring latency) took {watch.ElapsedMilliseconds} ms");

            var measured = firstReads[0].Select(p => p.Latency!).ToArray();
            Assert.All(measured, l => Assert.True(l.SingleImage > TimeSpan.Zero && l.ScoringBatch > TimeSpan.Zero));
            Assert.All(measured, l => Assert.Equal(Math.Min(loaded.Options.ScoringBatchSize, 32), l.ScoringBatchSize));
            // Measured once: every concurrent first reader and every later one sees the same measurement objects.
            Assert.All(firstReads, read => AssertSameObjects(measured, read.Select(p => p.Latency!)));
            // A latency budget selects from the cached figures, without measuring again.
            Assert.True(loaded.SelectPrecision(new PrecisionBudget { MaxLatency = measured.Max(l => l.SingleImage) }).Fits);
            AssertSameObjects(measured, loaded.Profiles.Select(p => p.Latency!));

            // MeasureLatency measures again and replaces the cached figures.
            var again = loaded.MeasureLatency();
            Assert.All(again.Zip(measured), pair => Assert.NotSame(pair.Second, pair.First));
            AssertSameObjects(again, loaded.Profiles.Select(p => p.Latency!));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertSameObjects(IEnumerable<object> expected, IEnumerable<object> actual)
    {
        var (e, a) = (expected.ToArray(), actual.ToArray());
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++) Assert.Same(e[i], a[i]);
    }

    [Fact]
    public void AHeldOutFractionGivesAccuraciesWithoutAValidationSetAndNeitherGivesNone()
    {
        var ml = new MLContext(seed: 3);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.RawMessage); };
        var keyed = ml.Data.TakeRows(_model.Keys.Transform(_model.Train), 120);
        using var held = ml.Transforms.SpNet(SmallModel.Options(o => { o.ProfileHoldoutFraction = 0.25; o.Epochs = 1; })).Fit(keyed);
        Assert.All(held.Profiles, p => Assert.InRange(p.Accuracy!.Value, 0, 1));
        lock (log)
        {
            Assert.Contains(log, m => m.StartsWith("Profile accuracy on 30 held-out images: ", StringComparison.Ordinal));
            Assert.Contains(log, m => m.Contains(" on 90 images of ", StringComparison.Ordinal));
        }

        using var none = ml.Transforms.SpNet(SmallModel.Options(o => o.Epochs = 1)).Fit(keyed);
        Assert.All(none.Profiles, p => Assert.Null(p.Accuracy));

        var error = Assert.Throws<ArgumentException>(() => ml.Transforms.SpNet(SmallModel.Options(o => o.ProfileHoldoutFraction = 0.6)));
        Assert.StartsWith("SpNetOptions.ProfileHoldoutFraction is 0.6; expected 0 to 0.5.", error.Message);
    }
}
