using System.Reflection;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Persistence;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

public sealed class SpNetOptionsMappingTests
{
    // The fields that belong to the ML.NET estimator itself; every other field is an option of a record.
    private static readonly string[] EstimatorFields =
    [
        nameof(SpNetOptions.LabelColumnName), nameof(SpNetOptions.FeatureColumnName), nameof(SpNetOptions.ScoreColumnName),
        nameof(SpNetOptions.PredictedLabelColumnName), nameof(SpNetOptions.ValidationSet), nameof(SpNetOptions.MetricsCallback),
        nameof(SpNetOptions.ImageChannels), nameof(SpNetOptions.ImageHeight), nameof(SpNetOptions.ImageWidth),
        nameof(SpNetOptions.ScoringBatchSize), nameof(SpNetOptions.ProfileHoldoutFraction),
    ];

    [Fact]
    public void EveryFieldIsAnEstimatorSettingOrTheOptionOfExactlyOneRecord()
    {
        var network = SpNetOptionsMapping.NetworkFields.Select(p => p.Field.Name).ToList();
        var trainer = SpNetOptionsMapping.TrainerFields.Select(p => p.Field.Name).ToList();
        var fields = typeof(SpNetOptions).GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name).ToList();

        Assert.Empty(network.Intersect(trainer));
        Assert.Equal(fields.Order(), network.Concat(trainer).Concat(EstimatorFields).Order());
        Assert.Equal(["Architecture", "ClipFullPrecisionActivations", "QuantizeFirstAndLastLayers", "Quantizer", "Switches", "WidthMultiplier"], network.Order());
        Assert.Contains(nameof(SpNetOptions.Nesterov), trainer);
        Assert.Contains(nameof(SpNetOptions.WarmupEpochs), trainer);
    }

    [Fact]
    public void EveryTrainingOptionReachesTheTrainerAndComesBackFromAStoredModel()
    {
        var options = new SpNetOptions
        {
            Switches = [new(1, 1), new(32, 32)], Distillation = DistillationMode.Recursive, Temperature = 2.5, HardLabelWeight = 0.25,
            SwitchLossReduction = SwitchLossReduction.Sum, SwitchLossWeights = [1, 3], Epochs = 7, BatchSize = 33, LearningRate = 0.02,
            Optimizer = OptimizerKind.Adam, Momentum = 0.8, Nesterov = true, WeightDecay = 1e-3, Schedule = LearningRateSchedule.Step,
            StepSizeEpochs = 2, StepGamma = 0.3, WarmupEpochs = 1, RandomCropPadding = 3, HorizontalFlip = true,
            FullPrecisionWarmStart = 0.2, DecayQuantizedWeights = false, BatchNormReestimationBatches = 5, BatchNormReestimationBatchSize = 19, CheckpointFolder = "/tmp/not-stored",
            LabelColumnName = "L", FeatureColumnName = "F", ScoreColumnName = "S", PredictedLabelColumnName = "P", ScoringBatchSize = 17,
        };
        var trainer = SpNetOptionsMapping.Trainer(options, seed: 9);
        foreach (var (field, property) in SpNetOptionsMapping.TrainerFields)
            Assert.Equal(Normalise(field.GetValue(options)), Normalise(property.GetValue(trainer)));
        Assert.Equal(9, trainer.Seed);

        var networkOptions = SpNetOptionsMapping.Network(options, new NetworkOptions { Classes = 3 });
        using var network = NetworkFactory.Create(networkOptions with { WidthMultiplier = 0.25 }, seed: 1);
        var (training, columns) = StoredOptions.ToRecords(options);
        using var stream = new MemoryStream();
        NetworkModelFile.Write(stream, ModelMetadata.From(network.Options, network.Switches[0], ["a", "b", "c"], training, columns), network);
        stream.Position = 0;
        var (metadata, loaded) = NetworkModelFile.Read(stream);
        using var disposeLoaded = loaded;
        var restored = StoredOptions.FromMetadata(metadata, loaded.Options);

        foreach (var (field, _) in SpNetOptionsMapping.TrainerFields.Where(p => p.Field.Name != nameof(SpNetOptions.CheckpointFolder)))
            Assert.Equal(Normalise(field.GetValue(options)), Normalise(field.GetValue(restored)));
        Assert.Null(restored.CheckpointFolder);
        Assert.Equal(("L", "F", "S", "P", 17), (restored.LabelColumnName, restored.FeatureColumnName, restored.ScoreColumnName, restored.PredictedLabelColumnName, restored.ScoringBatchSize));
        Assert.Equal(options.Switches, restored.Switches);
        Assert.Equal(0.25, restored.WidthMultiplier);
    }

    [Fact]
    public void AStoredTrainingRecordWithAnInvalidValueIsRefusedNamingIt()
    {
        var metadata = new ModelMetadata { Training = new TrainerOptions { Epochs = 0 }, Columns = new StoredColumns { Label = "L", Features = "F", Score = "S", PredictedLabel = "P" } };
        var error = Assert.Throws<InvalidDataException>(() => StoredOptions.FromMetadata(metadata, new NetworkOptions()));
        Assert.Equal("The model's training settings are invalid: the model's Training.Epochs is 0; expected at least 1.", error.Message);
    }

    // Lists compare by content.
    private static object? Normalise(object? value) => value is System.Collections.IEnumerable list and not string
        ? string.Join(",", list.Cast<object>())
        : value;
}
