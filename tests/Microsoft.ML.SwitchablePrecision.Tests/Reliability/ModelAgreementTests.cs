using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>An SP-Net entry must agree with the pipeline it sits in; duplicate or unexpected entries fail.</summary>
public sealed class ModelAgreementTests : IDisposable
{
    private static readonly Precision[] TenClassSwitches = [new(1, 1), Precision.FullPrecision];
    private static readonly Precision[] FiveClassSwitches = [new(1, 2), new(1, 4)];
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("spnet-agreement").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string SavedPipeline(string name, int classes, Precision[] switches)
    {
        var (model, data) = Pipeline(_ml, classes, switches);
        var path = Save(_ml, model, data, _folder, name);
        (model as IDisposable)?.Dispose();
        return path;
    }

    [Fact]
    public void AnSpNetEntryFromAnotherModelIsRejectedNamingBothSides()
    {
        var ten = SavedPipeline("ten.zip", 10, TenClassSwitches);
        var five = ReadWeightsEntry(SavedPipeline("five.zip", 5, FiveClassSwitches));
        RewriteWeightsEntry(ten, _ => five);

        var atLoad = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadChecked(ten, out _));
        Assert.Contains($"Model file '{ten}' does not fit together: Label column 'Label' has 10 classes (class0, class1,", atLoad.Message);
        Assert.Contains("the SP-Net was trained with 5 (class0, class1, class2, class3, class4)", atLoad.Message);

        // Loaded the plain way, the same check fails the first binding (here: creating a prediction engine).
        var model = _ml.Model.Load(ten, out _);
        var atBinding = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Model.CreatePredictionEngine<Row, Prediction>(model));
        Assert.Contains("has 10 classes", atBinding.Message);
        (model as IDisposable)?.Dispose();
    }

    [Fact]
    public void AnSpNetWithOtherClassNamesIsRejected()
    {
        var (keys, data) = Pipeline(_ml, 3, TenClassSwitches);
        using var spNet = UntrainedSpNet(_ml, 3, TenClassSwitches);
        var renamed = _ml.Data.LoadFromEnumerable(Rows(6, 3).Select(r => new Row { Features = r.Features, Label = r.Label.ToUpperInvariant() }));
        var otherKeys = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(renamed);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => spNet.GetOutputSchema(otherKeys.GetOutputSchema(renamed.Schema)));

        Assert.Contains("Label column 'Label' has 3 classes (CLASS0, CLASS1, CLASS2); the SP-Net was trained with 3 (class0, class1, class2).", error.Message);
        (keys as IDisposable)?.Dispose();
        Assert.NotNull(data);
    }

    [Fact]
    public void AFeatureColumnOfOtherImageDimensionsIsRejectedNamingBoth()
    {
        using var spNet = UntrainedSpNet(_ml, 10, TenClassSwitches);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, 1, 14, 56));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => spNet.GetOutputSchema(builder.ToSchema()));

        Assert.Contains("Schema mismatch for feature column 'Features': expected 1x28x28 images (as the SP-Net was trained), got 1x14x56 images.", error.Message);
    }

    [Fact]
    public void ADuplicatedSpNetEntryIsRejected()
    {
        var path = SavedPipeline("duplicate.zip", 10, TenClassSwitches);
        var other = ReadWeightsEntry(SavedPipeline("other-weights.zip", 10, TenClassSwitches));
        RewriteWeightsEntry(path, _ => other, duplicate: true);

        var error = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadChecked(path, out _));

        Assert.Contains($"The model file holds 2 entries named '{WeightsEntryName(path)}'; a model holds each entry once.", error.Message);
    }

    [Fact]
    public void AnUnexpectedEntryBesideTheSpNetIsRejected()
    {
        var path = SavedPipeline("unexpected.zip", 10, TenClassSwitches);
        var weights = WeightsEntryName(path);
        var extra = weights.Replace("SpNetModel.bin", "Extra.bin", StringComparison.Ordinal);
        AddEntry(path, extra, [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadChecked(path, out _));

        Assert.Contains($"The model file holds an unexpected entry '{extra}' beside the SP-Net's '{weights}'.", error.Message);
    }

    [Fact]
    public void AValidModelLoadsCheckedAndScoresAsSaved()
    {
        var (model, data) = Pipeline(_ml, 10, TenClassSwitches);
        var path = Save(_ml, model, data, _folder, "valid.zip");

        var loaded = _ml.Model.LoadChecked(path, out var schema);

        Assert.Equal(data.Schema.Count, schema.Count);
        Assert.Equal(Scores(model, data), Scores(loaded, data));
        (model as IDisposable)?.Dispose();
        (loaded as IDisposable)?.Dispose();
    }
}
