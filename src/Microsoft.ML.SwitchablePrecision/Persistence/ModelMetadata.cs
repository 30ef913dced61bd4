using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>Everything besides the tensors that a stored model needs; serialised as JSON inside <see cref="ModelFile"/>.</summary>
internal sealed class ModelMetadata
{
    public string Architecture { get; set; } = "";
    public string Quantizer { get; set; } = "";
    public int InputChannels { get; set; }
    public int Height { get; set; }
    public int Width { get; set; }
    public int Classes { get; set; }
    public List<string> Switches { get; set; } = [];
    public bool QuantizeFirstAndLastLayers { get; set; }
    public bool ClipFullPrecisionActivations { get; set; }
    public double WidthMultiplier { get; set; }
    public List<float> InputMean { get; set; } = [];
    public List<float> InputStd { get; set; } = [];
    public string ActivePrecision { get; set; } = "";
    public List<string> ClassNames { get; set; } = [];

    /// <summary>The column names and training settings of the ML.NET estimator, kept for <c>Options</c> after loading.</summary>
    public Dictionary<string, string> TrainingSettings { get; set; } = [];

    public Precision ActivePrecisionValue => ParseField(ActivePrecision, nameof(ActivePrecision));

    public static ModelMetadata From(NetworkOptions options, Precision active, IReadOnlyList<string> classNames,
        IReadOnlyDictionary<string, string> trainingSettings) => new()
    {
        Architecture = options.Architecture.ToString(),
        Quantizer = options.Quantizer.ToString(),
        InputChannels = options.InputChannels,
        Height = options.Height,
        Width = options.Width,
        Classes = options.Classes,
        Switches = options.Switches.Select(s => s.ToString()).ToList(),
        QuantizeFirstAndLastLayers = options.QuantizeFirstAndLastLayers,
        ClipFullPrecisionActivations = options.ClipFullPrecisionActivations,
        WidthMultiplier = options.WidthMultiplier,
        InputMean = options.InputMean.ToList(),
        InputStd = options.InputStd.ToList(),
        ActivePrecision = active.ToString(),
        ClassNames = classNames.ToList(),
        TrainingSettings = new Dictionary<string, string>(trainingSettings),
    };

    /// <exception cref="InvalidDataException">A field holds a value this build does not know.</exception>
    public NetworkOptions ToNetworkOptions()
    {
        if (ClassNames.Count != Classes)
            throw new InvalidDataException($"The model lists {ClassNames.Count} class names for {Classes} classes.");
        return new NetworkOptions
        {
            Architecture = ParseEnum<ArchitectureKind>(Architecture, nameof(Architecture)),
            Quantizer = ParseEnum<QuantizerKind>(Quantizer, nameof(Quantizer)),
            InputChannels = InputChannels,
            Height = Height,
            Width = Width,
            Classes = Classes,
            Switches = Switches.Select(s => ParseField(s, nameof(Switches))).ToArray(),
            QuantizeFirstAndLastLayers = QuantizeFirstAndLastLayers,
            ClipFullPrecisionActivations = ClipFullPrecisionActivations,
            WidthMultiplier = WidthMultiplier,
            InputMean = InputMean.ToArray(),
            InputStd = InputStd.ToArray(),
        };
    }

    private static T ParseEnum<T>(string value, string field) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new InvalidDataException($"The model's {field} '{value}' is not known to this build.");

    private static Precision ParseField(string value, string field) =>
        Precision.TryParse(value, out var precision)
            ? precision
            : throw new InvalidDataException($"The model's {field} entry '{value}' is not a valid precision.");
}
