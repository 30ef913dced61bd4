namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>Everything needed to build a switchable network; saved with a model so it can be rebuilt exactly.</summary>
public sealed record NetworkOptions
{
    /// <summary>The network shape.</summary>
    public ArchitectureKind Architecture { get; init; } = ArchitectureKind.ResNet20;

    /// <summary>Input channels: 1 (grey) or 3 (colour).</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Input height in pixels (8 to <see cref="NetworkLimits.MaximumImageSize"/>).</summary>
    public int Height { get; init; } = 28;

    /// <summary>Input width in pixels (8 to <see cref="NetworkLimits.MaximumImageSize"/>).</summary>
    public int Width { get; init; } = 28;

    /// <summary>Number of classes of the classifier (2 to <see cref="NetworkLimits.MaximumClasses"/>).</summary>
    public int Classes { get; init; } = 10;

    /// <summary>The switches, each with its own BatchNorm and quantizer parameters.</summary>
    public IReadOnlyList<Precision> Switches { get; init; } = [Precision.FullPrecision];

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Quantizer { get; init; } = QuantizerKind.DoReFa;

    /// <summary>Quantize the first convolution and the classifier too (by convention both stay full precision).</summary>
    public bool QuantizeFirstAndLastLayers { get; init; }

    /// <summary>
    /// Clip the inputs of quantized layers to [0, 1] at 32-bit activation switches too (no rounding), so that every
    /// switch sees activations on DoReFa's range; by default a 32-bit switch passes the unbounded ReLU output on.
    /// DoReFa only.
    /// </summary>
    public bool ClipFullPrecisionActivations { get; init; }

    /// <summary>Channel width multiplier (1 = the architecture's published widths; above 0, at most <see cref="NetworkLimits.MaximumWidthMultiplier"/>).</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Per-channel mean subtracted from the input before the first layer (length <see cref="InputChannels"/>; empty means 0).</summary>
    public IReadOnlyList<float> InputMean { get; init; } = [];

    /// <summary>Per-channel standard deviation the centred input is divided by (length <see cref="InputChannels"/>; empty means 1).</summary>
    public IReadOnlyList<float> InputStd { get; init; } = [];
}
