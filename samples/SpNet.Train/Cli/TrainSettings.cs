using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Training;

namespace SpNet.Train.Cli;

/// <summary>Everything the main job needs, as given on the command line (or defaulted).</summary>
internal sealed record TrainSettings
{
    /// <summary>The default switches: the paper's binary-weight family.</summary>
    public static IReadOnlyList<Precision> DefaultSwitches { get; } = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];

    /// <summary>A folder holding the four Fashion-MNIST-style IDX files; null means the subset shipped with the sample.</summary>
    public string? DataFolder { get; init; }

    /// <summary>A folder of class sub-folders of images (Model Builder's layout); overrides <see cref="DataFolder"/>.</summary>
    public string? ImagesFolder { get; init; }

    /// <summary>The switches to train.</summary>
    public IReadOnlyList<Precision> Switches { get; init; } = DefaultSwitches;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Images per training step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Quantizer { get; init; } = QuantizerKind.DoReFa;

    /// <summary>The network shape.</summary>
    public ArchitectureKind Architecture { get; init; } = ArchitectureKind.ResNet20;

    /// <summary>Channel width multiplier of the architecture (1 = its published widths).</summary>
    public double Width { get; init; } = 0.5;

    /// <summary>How the most precise switch teaches the others.</summary>
    public DistillationMode Distillation { get; init; } = DistillationMode.Recursive;

    /// <summary>Whether the switch losses are averaged (the library's default) or added (the papers' convention).</summary>
    public SwitchLossReduction LossReduction { get; init; } = new TrainerOptions().SwitchLossReduction;

    /// <summary>Fraction of the steps trained as a plain float network before the switches (the library's default).</summary>
    public double WarmStart { get; init; } = new TrainerOptions().FullPrecisionWarmStart;

    /// <summary>Side length, in pixels, the images are resized to.</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Where model.zip, the chart and the PNG cache go.</summary>
    public string OutputFolder { get; init; } = "output";

    /// <summary>Where results.md and results.json go; null means <see cref="OutputFolder"/>.</summary>
    public string? ResultsFolder { get; init; }

    /// <summary>The command-line arguments the settings came from, recorded with the results.</summary>
    public string Arguments { get; init; } = "";

    /// <summary>Seed of ML.NET's context, the hold-out split and the network's initialisation.</summary>
    public int Seed { get; init; } = 1;
}
