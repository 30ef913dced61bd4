namespace Microsoft.ML.SwitchablePrecision.Inference.Description;

/// <summary>
/// The switches of a model exported for inference: each one's <see cref="PlanDescription"/> and the plan built from
/// it (at construction, so a description that does not fit together fails at once). Everything a plan-only
/// <see cref="SwitchablePrecisionTransformer"/> predicts with; no network, no TorchSharp.
/// </summary>
internal sealed class ExportedPlans
{
    private readonly PlanDescription[] _descriptions;
    private readonly InferencePlan[] _plans;

    /// <param name="network">The options of the trained network (what the stored metadata keeps); its switches are replaced by the described ones.</param>
    /// <param name="descriptions">One description per exported switch.</param>
    /// <param name="report">The full network's layer costs, for <see cref="SwitchablePrecisionTransformer.GetPrecisionReport"/>.</param>
    /// <param name="floatStorage">How a compact model stores the descriptions' folds and float weights (at float16 they must already be float16 values).</param>
    /// <exception cref="ArgumentException">No description, or two of one switch.</exception>
    /// <exception cref="InvalidOperationException">A description's layers do not fit together; the message names the layer.</exception>
    public ExportedPlans(Architectures.NetworkOptions network, IEnumerable<PlanDescription> descriptions, Reporting.ReportBasis report,
        InferenceFloatStorage floatStorage = InferenceFloatStorage.Float32)
    {
        FloatStorage = floatStorage;
        ArgumentNullException.ThrowIfNull(report);
        Report = report;
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(descriptions);
        _descriptions = descriptions.ToArray();
        if (_descriptions.Length == 0) throw new ArgumentException("A model exported for inference needs at least one switch.", nameof(descriptions));
        var repeated = _descriptions.GroupBy(d => d.Precision).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"Switch {repeated.Key} is described {repeated.Count()} times.", nameof(descriptions));
        _plans = _descriptions.Select(d => PlanAssembler.Build(d)).ToArray();
        Switches = _descriptions.Select(d => d.Precision).ToArray();
        Network = network with { Switches = Switches.ToArray() };
    }

    /// <summary>How the folds and float weights are stored when saved.</summary>
    public InferenceFloatStorage FloatStorage { get; }

    /// <summary>The full network's layer costs and parameter count.</summary>
    public Reporting.ReportBasis Report { get; }

    /// <summary>The trained network's options with the exported <see cref="Switches"/>.</summary>
    public Architectures.NetworkOptions Network { get; }

    /// <summary>The exported switches, in the order they were exported.</summary>
    public IReadOnlyList<Precision> Switches { get; }

    /// <summary>Each switch's description, in the order of <see cref="Switches"/>.</summary>
    public IReadOnlyList<PlanDescription> Descriptions => _descriptions;

    /// <summary>The plan of the switch at <paramref name="index"/>.</summary>
    public InferencePlan Plan(int index) => _plans[index];

    /// <summary>The index of <paramref name="precision"/> among <see cref="Switches"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The switch was not exported; the message lists the exported ones.</exception>
    public int IndexOf(Precision precision)
    {
        for (int i = 0; i < _descriptions.Length; i++)
            if (_descriptions[i].Precision == precision) return i;
        throw new ArgumentOutOfRangeException(nameof(precision), precision.ToString(),
            $"Switch {precision} is not one of this model's switches: {string.Join(", ", Switches)} (the model was exported for inference with only these).");
    }

    /// <summary>These plans restricted to <paramref name="switches"/> (each one of <see cref="Switches"/>), sharing the descriptions.</summary>
    public ExportedPlans Subset(IEnumerable<Precision> switches) => new(Network, switches.Select(s => _descriptions[IndexOf(s)]), Report, FloatStorage);

    /// <summary>These plans stored as <paramref name="storage"/>: at float16 every fold and float weight rounded to the nearest float16 (<see cref="Persistence.HalfPrecisionRounding"/>).</summary>
    /// <exception cref="ArgumentException">A value is beyond float16's range; the message names the layer and switch.</exception>
    public ExportedPlans StoredAs(InferenceFloatStorage storage) =>
        storage == FloatStorage ? this
        : storage == InferenceFloatStorage.Float16 ? new(Network, Persistence.HalfPrecisionRounding.Round(_descriptions), Report, storage)
        : new(Network, _descriptions, Report, storage);
}
