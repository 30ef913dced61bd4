using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

public class StoredOptionsTests
{
    [Fact]
    public void TrainingSettingsSurviveTheStoredFormAndAModelWithoutTheReductionWasTrainedWithSums()
    {
        var options = new SpNetOptions
        {
            SwitchLossReduction = SwitchLossReduction.Sum,
            Distillation = DistillationMode.FromTeacher,
            HardLabelWeight = 0.25,
            Epochs = 7,
        };
        var network = new NetworkOptions { Switches = [new Precision(1, 1), Precision.FullPrecision] };

        var settings = StoredOptions.ToSettings(options);
        var restored = StoredOptions.FromSettings(settings, network);

        Assert.Equal("Sum", settings[nameof(SpNetOptions.SwitchLossReduction)]);
        Assert.Equal(SwitchLossReduction.Sum, restored.SwitchLossReduction);
        Assert.Equal(SwitchLossReduction.Mean, new SpNetOptions().SwitchLossReduction);
        Assert.Equal(DistillationMode.FromTeacher, restored.Distillation);
        Assert.Equal(0.25, restored.HardLabelWeight);
        Assert.Equal(7, restored.Epochs);
        Assert.Equal(network.Switches, restored.Switches);

        settings[nameof(SpNetOptions.SwitchLossReduction)] = "Mean";
        Assert.Equal(SwitchLossReduction.Mean, StoredOptions.FromSettings(settings, network).SwitchLossReduction);
        settings.Remove(nameof(SpNetOptions.SwitchLossReduction));
        Assert.Equal(SwitchLossReduction.Sum, StoredOptions.FromSettings(settings, network).SwitchLossReduction);
    }

    [Fact]
    public void SwitchLossWeightsSurviveTheStoredFormAndAreAbsentByDefault()
    {
        var network = new NetworkOptions { Switches = [new Precision(1, 1), Precision.FullPrecision] };
        var weighted = StoredOptions.ToSettings(new SpNetOptions { SwitchLossWeights = [0.1, 2.5] });

        Assert.Equal("0.1 2.5", weighted[nameof(SpNetOptions.SwitchLossWeights)]);
        Assert.Equal([0.1, 2.5], StoredOptions.FromSettings(weighted, network).SwitchLossWeights!);
        Assert.False(StoredOptions.ToSettings(new SpNetOptions()).ContainsKey(nameof(SpNetOptions.SwitchLossWeights)));
        Assert.Null(StoredOptions.FromSettings(StoredOptions.ToSettings(new SpNetOptions()), network).SwitchLossWeights);
        weighted[nameof(SpNetOptions.SwitchLossWeights)] = "0.1 heavy";
        Assert.Null(StoredOptions.FromSettings(weighted, network).SwitchLossWeights);
    }
}
