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

    /// <summary>Format version 1 only: the column names and training settings as text (<see cref="StoredOptions.FromSettings"/>).</summary>
    public Dictionary<string, string> TrainingSettings { get; set; } = [];

    /// <summary>From format version 2: the training recipe the model was trained with, stored as the record itself.</summary>
    public Training.TrainerOptions? Training { get; set; }

    /// <summary>From format version 2: the ML.NET column names and scoring batch.</summary>
    public StoredColumns? Columns { get; set; }

    /// <summary>
    /// Optional (format version 2 on): each switch's top-1 accuracy on the data held out at training, keyed by the switch
    /// (<c>W1A2</c>); null, and left out of the file, when unknown. Older files have no such field and still load.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, double>? SwitchAccuracies { get; set; }

    public Precision ActivePrecisionValue => ParseField(ActivePrecision, nameof(ActivePrecision));

    public static ModelMetadata From(NetworkOptions options, Precision active, IReadOnlyList<string> classNames,
        Training.TrainerOptions? training = null, StoredColumns? columns = null) => new()
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
        Training = training,
        Columns = columns,
    };

    /// <summary>
    /// Checks every field against the limits of <see cref="NetworkLimits"/> before anything is built, and returns the
    /// options of the network the model describes.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is missing, out of range or unknown to this build; the message names it.</exception>
    public NetworkOptions ToNetworkOptions()
    {
        if (Switches is null || ClassNames is null || InputMean is null || InputStd is null || TrainingSettings is null)
            throw new InvalidDataException("The model's metadata lacks a required list (Switches, ClassNames, InputMean, InputStd or TrainingSettings).");
        CheckRange(nameof(InputChannels), InputChannels, 1, 3);
        CheckRange(nameof(Height), Height, NetworkLimits.MinimumImageSize, NetworkLimits.MaximumImageSize);
        CheckRange(nameof(Width), Width, NetworkLimits.MinimumImageSize, NetworkLimits.MaximumImageSize);
        CheckRange(nameof(Classes), Classes, 2, NetworkLimits.MaximumClasses);
        if (ClassNames.Count != Classes)
            throw new InvalidDataException($"The model lists {ClassNames.Count} class names for {Classes} classes.");
        if (ClassNames.Any(n => n is null))
            throw new InvalidDataException("The model's ClassNames field holds a null entry.");
        if (!double.IsFinite(WidthMultiplier) || WidthMultiplier <= 0 || WidthMultiplier > NetworkLimits.MaximumWidthMultiplier)
            throw new InvalidDataException(
                $"The model's WidthMultiplier field is {WidthMultiplier}; expected a value above 0 and at most {NetworkLimits.MaximumWidthMultiplier}.");
        if (Switches.Count is 0 or > MaxSwitches)
            throw new InvalidDataException($"The model's Switches field lists {Switches.Count} switches; expected 1 to {MaxSwitches}.");
        var switches = Switches.Select(s => ParseField(s, nameof(Switches))).ToArray();
        if (switches.Distinct().Count() != switches.Length)
            throw new InvalidDataException("The model's Switches field lists a switch more than once.");
        var active = ActivePrecisionValue;
        if (!switches.Contains(active))
            throw new InvalidDataException(
                $"The model's ActivePrecision field is {active}, which is not one of its switches ({string.Join(", ", switches)}).");
        if (TrainingSettings.Count > MaxTrainingSettings)
            throw new InvalidDataException($"The model's TrainingSettings field holds {TrainingSettings.Count} entries; expected at most {MaxTrainingSettings}.");
        var options = new NetworkOptions
        {
            Architecture = ParseEnum<ArchitectureKind>(Architecture, nameof(Architecture)),
            Quantizer = ParseEnum<QuantizerKind>(Quantizer, nameof(Quantizer)),
            InputChannels = InputChannels,
            Height = Height,
            Width = Width,
            Classes = Classes,
            Switches = switches,
            QuantizeFirstAndLastLayers = QuantizeFirstAndLastLayers,
            ClipFullPrecisionActivations = ClipFullPrecisionActivations,
            WidthMultiplier = WidthMultiplier,
            InputMean = InputMean.ToArray(),
            InputStd = InputStd.ToArray(),
        };
        try
        {
            NetworkLimits.Validate(options);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The model describes a network this build cannot create: {e.Message}", e);
        }
        return options;
    }

    // Every precision with 1-8 or 32 bits for weights and for activations.
    private const int MaxSwitches = 81;
    private const int MaxTrainingSettings = 256;

    private static void CheckRange(string field, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new InvalidDataException($"The model's {field} field is {value}; expected {min} to {max}.");
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
