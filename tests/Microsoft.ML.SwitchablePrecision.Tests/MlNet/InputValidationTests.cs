using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Training;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

public sealed class InputValidationTests
{
    public sealed class PixelRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    public sealed class FlatRow
    {
        [VectorType(100)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    public sealed class UnknownSizeRow
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    public sealed class TextRow
    {
        public string Features { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private readonly MLContext _ml = new(seed: 3);

    internal static SpNetOptions Small(params Precision[] switches) => new()
    {
        Switches = switches.Length == 0 ? [new(1, 1), new(32, 32)] : switches,
        Epochs = 1,
        BatchSize = 16,
        WidthMultiplier = 0.25,
    };

    internal static List<PixelRow> RealRows(int perClass)
    {
        var data = SubsetData.Balanced(SubsetData.Train, perClass);
        return Enumerable.Range(0, data.Count).Select(i => new PixelRow
        {
            Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray(),
            Label = data.ClassNames[data.Labels[i]],
        }).ToList();
    }

    private IDataView Keyed<T>(IEnumerable<T> rows) where T : class =>
        _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(rows)).Transform(_ml.Data.LoadFromEnumerable(rows));

    private void BothChecksFail(IDataView data, SpNetOptions options, params string[] expectedFragments)
    {
        var estimator = _ml.Transforms.SpNet(options);
        var fromShape = Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(MlNetInternals.ShapeOf(data.Schema)));
        var fromFit = Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(data));
        foreach (var fragment in expectedFragments)
        {
            Assert.Contains(fragment, fromShape.Message);
            Assert.Contains(fragment, fromFit.Message);
        }
    }

    [Fact]
    public void AMissingFeatureColumnIsNamed()
    {
        var options = Small();
        options.FeatureColumnName = "Pixels";
        BothChecksFail(Keyed(RealRows(1)), options, "'Pixels'", "not found");
    }

    [Fact]
    public void AMissingLabelColumnIsNamed()
    {
        var options = Small();
        options.LabelColumnName = "Class";
        BothChecksFail(Keyed(RealRows(1)), options, "'Class'", "not found");
    }

    [Fact]
    public void AFeatureColumnOfTheWrongTypeIsNamedWithBothTypes()
    {
        BothChecksFail(Keyed([new TextRow { Features = "x", Label = "a" }, new TextRow { Features = "y", Label = "b" }]),
            Small(), "'Features'", "vector of Single", "String");
    }

    [Fact]
    public void AFeatureVectorOfUnknownSizeIsRejected()
    {
        BothChecksFail(Keyed([new UnknownSizeRow { Features = [1, 2], Label = "a" }, new UnknownSizeRow { Features = [1, 2], Label = "b" }]),
            Small(), "'Features'", "unknown size");
    }

    [Fact]
    public void AVectorWhoseSizeIsNotChannelsTimesHeightTimesWidthIsRejected()
    {
        var data = Keyed([new FlatRow { Features = new float[100], Label = "a" }, new FlatRow { Features = new float[100], Label = "b" }]);
        var options = Small();
        options.ImageChannels = 1;
        options.ImageHeight = 28;
        options.ImageWidth = 28;

        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.SpNet(options).Fit(data));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains("784", error.Message);
        Assert.Contains("100", error.Message);
    }

    [Fact]
    public void AVectorWithoutImageDimensionsAsksForTheGeometry()
    {
        var data = Keyed([new FlatRow { Features = new float[100], Label = "a" }, new FlatRow { Features = new float[100], Label = "b" }]);

        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.SpNet(Small()).Fit(data));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains(nameof(SpNetOptions.ImageChannels), error.Message);
    }

    [Fact]
    public void ALabelThatIsNotAKeyAsksForMapValueToKey()
    {
        BothChecksFail(_ml.Data.LoadFromEnumerable(RealRows(1)), Small(), "'Label'", "MapValueToKey", "String");
    }

    [Fact]
    public void ALabelWithOneClassIsRejected()
    {
        var rows = RealRows(1).Select(r => new PixelRow { Features = r.Features, Label = "only" });

        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.SpNet(Small()).Fit(Keyed(rows)));
        Assert.Contains("'Label'", error.Message);
        Assert.Contains("at least 2", error.Message);
    }

    [Fact]
    public void EmptyTrainingDataIsRejected()
    {
        var keyed = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(RealRows(1)));
        var empty = keyed.Transform(_ml.Data.LoadFromEnumerable(new List<PixelRow>()));

        var error = Assert.Throws<InvalidOperationException>(() => _ml.Transforms.SpNet(Small()).Fit(empty));
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void WhenEveryRowIsBadTheErrorSaysWhy()
    {
        var rows = RealRows(1);
        foreach (var row in rows) row.Features[5] = float.NaN;

        var error = Assert.Throws<InvalidOperationException>(() => _ml.Transforms.SpNet(Small()).Fit(Keyed(rows)));
        Assert.Contains("No usable", error.Message);
        Assert.Contains("'Features'", error.Message);
    }

    [Fact]
    public void BadRowsAreSkippedAndCountedInAWarning()
    {
        var messages = new List<string>();
        _ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = RealRows(3);
        rows[0].Features[0] = float.NaN;
        rows[1].Features[7] = float.PositiveInfinity;

        using var model = _ml.Transforms.SpNet(Small()).Fit(Keyed(rows));

        lock (messages)
            Assert.Contains(messages, m => m.Contains("Skipped 2 training row(s)") && m.Contains("2 with NaN or infinite values"));
    }

    [Fact]
    public void SwitchListsThatAreEmptyDuplicatedOrInvalidAreRejected()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => _ml.Transforms.SpNet(new SpNetOptions { Switches = [] })).Message);
        Assert.Contains("W1A2 more than once", Assert.Throws<ArgumentException>(() =>
            _ml.Transforms.SpNet(new SpNetOptions { Switches = [new(1, 2), new(1, 2)] })).Message);
        Assert.Contains("invalid precision", Assert.Throws<ArgumentException>(() =>
            _ml.Transforms.SpNet(new SpNetOptions { Switches = [default] })).Message);
    }

    [Fact]
    public void SwitchLossWeightsMustMatchTheSwitchesAndBeUsable()
    {
        Assert.StartsWith("SwitchLossWeights has 2 entries; expected 4, one per entry of Switches in the same order.",
            Assert.Throws<ArgumentException>(() => _ml.Transforms.SpNet(new SpNetOptions { SwitchLossWeights = [1, 3] })).Message);
        Assert.StartsWith("SwitchLossWeights[1] is -1; expected a finite number of at least 0.",
            Assert.Throws<ArgumentException>(() => _ml.Transforms.SpNet(new SpNetOptions { SwitchLossWeights = [1, -1, 1, 1] })).Message);
        Assert.StartsWith("SwitchLossWeights are all 0",
            Assert.Throws<ArgumentException>(() => _ml.Transforms.SpNet(new SpNetOptions { SwitchLossWeights = [0, 0, 0, 0] })).Message);
        Assert.NotNull(_ml.Transforms.SpNet(new SpNetOptions { SwitchLossWeights = [1, 1, 1, 3] }));
    }

    [Fact]
    public void SwitchLossWeightsAndTheReductionReachTheTraining()
    {
        // The arithmetic of weights and reductions is pinned against hand-combined gradients in SwitchableNetworkTrainerBehaviourTests;
        // here the options must arrive. A switch whose loss weight is 0 gets no gradient, so its BatchNorm scales and
        // shifts keep their initial 1 and 0, while those of the weighted switch move.
        var data = Keyed(RealRows(perClass: 3));
        var (weighted, unweighted) = BatchNormAffineChangesAfterFitting(data, o => o.SwitchLossWeights = [1, 0]);
        Assert.True(weighted > 1e-4, $"the weighted switch's BatchNorm moved by {weighted}");
        Assert.Equal(0, unweighted);
        Assert.True(BatchNormAffineChangesAfterFitting(data, _ => { }).Second > 1e-4);

        Assert.NotEqual(FirstScoreAfterFitting(data, o => o.SwitchLossReduction = SwitchLossReduction.Mean),
            FirstScoreAfterFitting(data, o => o.SwitchLossReduction = SwitchLossReduction.Sum));
    }

    // The largest distance of any BatchNorm scale or shift from its initial value (1 or 0), for switch 0 and switch 1.
    private static (double First, double Second) BatchNormAffineChangesAfterFitting(IDataView data, Action<SpNetOptions> configure)
    {
        var options = Small();
        configure(options);
        using var model = new MLContext(seed: 5).Transforms.SpNet(options).Fit(data);
        var norms = model.Network.modules().OfType<SwitchableBatchNorm2d>().ToList();
        double Change(int s) => norms.Max(n => Math.Max(
            n.ForSwitch(s).weight!.data<float>().ToArray().Max(v => Math.Abs(v - 1)),
            n.ForSwitch(s).bias!.data<float>().ToArray().Max(v => Math.Abs(v))));
        return (Change(0), Change(1));
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameModelWhenPipelinesAreFittedConcurrently()
    {
        // Initial weights come from a generator private to the fit, so a parallel fit cannot take draws from it.
        var data = Keyed(RealRows(perClass: 3));
        var scores = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => FirstScoreAfterFitting(data, _ => { }))));
        Assert.All(scores, score => Assert.Equal(scores[0], score));
    }

    [Fact]
    public void ClippedFullPrecisionActivationsReachTheNetworkAndSurviveSaveAndLoad()
    {
        Assert.StartsWith("ClipFullPrecisionActivations clips to DoReFa's range [0, 1]: expected Quantizer DoReFa, got Lsq.",
            Assert.Throws<ArgumentException>(() => _ml.Transforms.SpNet(new SpNetOptions { Quantizer = QuantizerKind.Lsq, ClipFullPrecisionActivations = true })).Message);

        var data = Keyed(RealRows(perClass: 3));
        var clipped = FirstScoreAfterFitting(data, o => o.ClipFullPrecisionActivations = true); // scored at W32A32
        Assert.NotEqual(FirstScoreAfterFitting(data, _ => { }), clipped);

        var options = Small();
        options.ClipFullPrecisionActivations = true;
        using var model = new MLContext(seed: 5).Transforms.SpNet(options).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"spnet-clip-{Guid.NewGuid():N}.zip");
        try
        {
            _ml.Model.Save(model, data.Schema, path);
            var loaded = _ml.Model.Load(path, out _);
            var spNet = SpNetCatalog.FindSpNet(loaded)!;
            Assert.True(spNet.Options.ClipFullPrecisionActivations);
            Assert.Equal(clipped, _ml.Data.CreateEnumerable<ScoreRow>(loaded.Transform(data), reuseRowObject: false).First().Score);
            spNet.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The first row's scores after fitting with <c>MLContext(seed: 5)</c>: the same seed gives the same initial
    /// weights and batches, so only the options <paramref name="configure"/> sets differ between calls.
    /// </summary>
    private static float[] FirstScoreAfterFitting(IDataView data, Action<SpNetOptions> configure)
    {
        var ml = new MLContext(seed: 5);
        var options = Small();
        configure(options);
        using var model = ml.Transforms.SpNet(options).Fit(data);
        return ml.Data.CreateEnumerable<ScoreRow>(model.Transform(data), reuseRowObject: false).First().Score;
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
