using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// A trained switchable-precision network as an ML.NET transformer. It appends <c>Score</c> (class probabilities)
/// and <c>PredictedLabel</c> (a key with the label's class names) to its input, computed at <see cref="Precision"/>,
/// which can be changed at any time to trade accuracy for cost. Save and load it with
/// <c>mlContext.Model.SaveAtomically</c> and <c>mlContext.Model.LoadChecked</c> (or ML.NET's <c>Save</c> and <c>Load</c>).
/// </summary>
/// <remarks>
/// A change of <see cref="Precision"/> applies to cursors created afterwards (a cursor computes all its rows at
/// one precision) and to the next prediction of every <c>PredictionEngine</c>, including engines created earlier.
/// Forward passes are serialised, so concurrent readers never see a half-switched network.
/// <para>
/// Lifetime: ML.NET disposes the whole model when a <c>PredictionEngine</c> created with default options is
/// disposed, and a model passes on only its first disposal. So <see cref="Dispose"/> frees the network's native
/// memory only while no prediction engine created from the model is still reachable (loading, scoring with
/// <c>Transform</c> and disposing frees at once); otherwise it leaves the network alone and the memory is freed when
/// the model is collected (TorchSharp's finalizers). Per-request engines (<c>using var engine = ...</c>) therefore never
/// break the model for other engines or later calls. Once freed, every use of the transformer, setting
/// <see cref="Precision"/> included, throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed partial class SwitchablePrecisionTransformer : ITransformer, IDisposable
{
    // Exactly one of the two: the trained network (TorchSharp's from the training assembly, or the stored weights'
    // plans in the runtime alone), or the plans of a model exported for inference (plan-only mode).
    private readonly INetworkBackend? _network;
    private readonly Inference.Description.ExportedPlans? _exported;
    private readonly object _forwardGate = new();
    private readonly string[] _classNames;
    private int _activeSwitch;
    // One weak reference per PredictionEngine (its rows hold the target): while one is reachable, Dispose may be its call.
    private readonly List<WeakReference<object>> _engines = [];
    private bool _disposed;

    /// <summary>The name the transformer registers with ML.NET's host.</summary>
    internal const string ComponentName = "SpNet";

    internal SwitchablePrecisionTransformer(IHostEnvironment env, INetworkBackend network, SpNetOptions options,
        IReadOnlyList<string> classNames)
    {
        Host = env.Register(ComponentName);
        _network = network;
        Options = options;
        _classNames = classNames.ToArray();
        Geometry = new ImageGeometry(network.Options.InputChannels, network.Options.Height, network.Options.Width);
        _activeSwitch = network.ActiveIndex;
    }

    /// <summary>A plan-only transformer: predicts with <paramref name="exported"/>'s plans and has no network.</summary>
    internal SwitchablePrecisionTransformer(IHostEnvironment env, Inference.Description.ExportedPlans exported, SpNetOptions options,
        IReadOnlyList<string> classNames, Precision active)
    {
        Host = env.Register(ComponentName);
        _exported = exported;
        Options = options;
        _classNames = classNames.ToArray();
        var input = exported.Descriptions[0].Input;
        Geometry = new ImageGeometry(input.Channels, input.Height, input.Width);
        _activeSwitch = exported.IndexOf(active);
    }

    /// <summary>The switch at which later cursors and predictions are computed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The model was not trained with that switch; the message lists the valid ones.</exception>
    public Precision Precision
    {
        get => Switches[ActiveSwitchIndex];
        set
        {
            ThrowIfDisposed();
            int index = IndexOf(value);
            FollowManualChange(index);
            Volatile.Write(ref _activeSwitch, index);
        }
    }

    /// <summary>
    /// Whether predictions may use the exact packed binary kernels for switches with 1-bit weights and 1- to 8-bit
    /// activations of the DoReFa quantizer (bit operations instead of simulated quantization in float32; same
    /// results up to float rounding). They serve small batches only (batch times activation bits at most 8, where
    /// they are faster), such as <c>PredictionEngine</c> predictions; larger scoring batches stay on the float path.
    /// Default <c>true</c>; not saved with the model. Applies to the next forward pass. Calls that run on an inference
    /// plan (<see cref="UseInferencePlans"/>) do not use them. A model exported for inference, or loaded by the prediction
    /// runtime alone (without Microsoft.ML.SwitchablePrecision.Training), has no TorchSharp forward: <c>false</c>, and
    /// setting it throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool UsePackedKernels
    {
        get => _network?.UsePackedKernels ?? false;
        set
        {
            ThrowIfDisposed();
            Backend.UsePackedKernels = value;
        }
    }

    /// <summary>
    /// Whether scoring of a ResNet runs on the switch's compiled inference plan (integer kernels on activation levels,
    /// every switch and quantizer, no lock) where the measured policy expects it to be faster than the TorchSharp
    /// forward: every batch size at switches with quantized activations, single images at W1A32, batches up to 8 at
    /// W32A32 and other float-activation switches; MobileNetV2 at every switch and batch (docs/kernels.md). Results equal the
    /// TorchSharp path up to float rounding and rare one-level quantization differences (docs/method.md, section 9).
    /// Default <c>true</c>; not saved with the model. Applies to the next call. A model exported for inference, or a full
    /// model loaded by the prediction runtime alone (without Microsoft.ML.SwitchablePrecision.Training), runs on its
    /// plans whatever this says: it has no TorchSharp forward.
    /// </summary>
    public bool UseInferencePlans
    {
        get => Volatile.Read(ref _useInferencePlans);
        set => Volatile.Write(ref _useInferencePlans, value);
    }

    private bool _useInferencePlans = true;

    /// <summary>The switches the model was trained with.</summary>
    public IReadOnlyList<Precision> Switches => _exported?.Switches ?? _network!.Switches;

    /// <summary>A copy of the options the model was trained with (after loading, without the validation set and callback).</summary>
    public SpNetOptions Options { get; }

    /// <summary>The class names, in key order (key value <c>i + 1</c> is <c>ClassNames[i]</c>).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Always <c>true</c>: rows are scored independently, so <c>PredictionEngine</c> works.</summary>
    public bool IsRowToRowMapper => true;

    internal IHost Host { get; }

    /// <exception cref="InvalidOperationException">The model was exported for inference and has no network.</exception>
    internal INetworkBackend Backend => _network ?? throw new InvalidOperationException(
        $"This SP-Net was exported for inference (mlContext.Model.SaveForInference) with the switches {string.Join(", ", Switches)}: it holds their " +
        "inference plans only, without the latent weights or a TorchSharp network, so it cannot train, warm-start or run the TorchSharp forward. " +
        "Use the full model for that.");

    /// <summary>True for a model exported for inference (mlContext.Model.SaveForInference): it predicts on its plans only.</summary>
    public bool IsExportedForInference => _exported is not null;

    internal Inference.Description.ExportedPlans? Exported => _exported;

    internal int IndexOf(Precision precision) => _exported?.IndexOf(precision) ?? _network!.IndexOf(precision);

    internal ImageGeometry Geometry { get; }

    internal int ActiveSwitchIndex => Volatile.Read(ref _activeSwitch);

    /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The feature column is missing, not a vector of C*H*W Single values or has other image dimensions than the model,
    /// or a key-typed label column in <paramref name="inputSchema"/> has other classes than the model; the message names both sides.
    /// </exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        InputColumns.CheckAgreement(inputSchema, Options, Geometry, _classNames);
        return OutputSchema.Build(inputSchema, Options.ScoreColumnName, Options.PredictedLabelColumnName, _classNames);
    }

    /// <summary>Scores <paramref name="input"/> lazily, in batches of <see cref="SpNetOptions.ScoringBatchSize"/> rows.</summary>
    public IDataView Transform(IDataView input) => Transform(input, fixedSwitch: null);

    internal IDataView Transform(IDataView input, int? fixedSwitch)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return new ScoringDataView(this, input, fixedSwitch);
    }

    /// <summary>
    /// A row-to-row mapper over <paramref name="inputSchema"/>, as <c>PredictionEngine</c> uses. While the rows it
    /// makes are reachable, <see cref="Dispose"/> leaves the network alone (see the remarks on lifetime).
    /// </summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => CreateRowMapper(inputSchema, fixedSwitch: null);

    /// <summary>
    /// A transformer that scores at <paramref name="precision"/> whatever <see cref="Precision"/> is set to, sharing
    /// this transformer's network (no copy): for evaluation, and for callers that must not see another caller's
    /// change of <see cref="Precision"/>. Saving it saves this model with <paramref name="precision"/> active. It is
    /// valid while this transformer is (it has no <c>Dispose</c> of its own).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The model was not trained with that switch; the message lists the valid ones.</exception>
    public FixedPrecisionTransformer AtPrecision(Precision precision)
    {
        ThrowIfDisposed();
        return new FixedPrecisionTransformer(this, IndexOf(precision));
    }

    internal IRowToRowMapper CreateRowMapper(DataViewSchema inputSchema, int? fixedSwitch)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var engine = new object();
        lock (_forwardGate)
        {
            ThrowIfDisposed();
            if (_engines.Count >= 64) _engines.RemoveAll(e => !e.TryGetTarget(out _));
            _engines.Add(new WeakReference<object>(engine));
        }
        return new ScoringRowMapper(this, inputSchema, engine, fixedSwitch);
    }

    /// <summary>
    /// Evaluates every switch on <paramref name="data"/> (the transformer's input: features and the key label) with
    /// ML.NET's multiclass metrics. <see cref="Precision"/> is not changed.
    /// </summary>
    public IReadOnlyList<SwitchEvaluation> EvaluateSwitches(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ThrowIfDisposed();
        InputColumns.CheckLabel(data.Schema, Options.LabelColumnName);
        var mlContext = new MLContext(seed: 0);
        return Switches.Select((precision, index) => new SwitchEvaluation(precision,
            mlContext.MulticlassClassification.Evaluate(new ScoringDataView(this, data, index),
                Options.LabelColumnName, Options.ScoreColumnName, Options.PredictedLabelColumnName))).ToArray();
    }

    /// <summary>The cost of each switch: weights by bit width, packed weight size and multiply-accumulates by kind.</summary>
    public PrecisionReport GetPrecisionReport() =>
        _exported is { } exported ? PrecisionReport.Create(exported.Switches, exported.Report) : WithBackend(b => PrecisionReport.Create(b.Switches, b.ReportBasis()));

    /// <summary>
    /// Frees the network's native memory, unless a <c>PredictionEngine</c> created from this model is still reachable
    /// (ML.NET calls this when such an engine is disposed); then the memory is freed when the model is collected.
    /// </summary>
    public void Dispose()
    {
        lock (_forwardGate)
        {
            if (_disposed || _engines.Any(e => e.TryGetTarget(out _))) return;
            _disposed = true;
            _network?.Dispose();
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);

    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelStorage.Save(ctx, this);

    /// <summary>
    /// Class probabilities of <paramref name="count"/> images at switch <paramref name="switchIndex"/>: on the switch's
    /// compiled inference plan (no lock: plans are immutable) where <see cref="Inference.ScoringPolicy"/> expects it to
    /// be faster or the model was exported for inference, else on the TorchSharp forward under the model's lock.
    /// </summary>
    internal float[] Score(ReadOnlySpan<float> pixels, int count, int switchIndex)
    {
        // A model exported for inference has only its plans.
        // So has a full model loaded without the training assembly: there is no TorchSharp forward to choose.
        bool onPlan = _exported is not null || !_network!.HasReferenceForward
            || UseInferencePlans && Inference.ScoringPolicy.PrefersPlan(_network.Options.Architecture, Switches[switchIndex], count);
        if (onPlan && PlanFor(switchIndex) is { } plan)
        {
            var probabilities = new float[count * plan.Classes];
            plan.Predict(pixels, count, probabilities);
            Inference.ScoringPolicy.Softmax(probabilities, plan.Classes);
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            return probabilities;
        }
        lock (_forwardGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Backend.PredictProbabilities(pixels, count, switchIndex);
        }
    }

    // The switch's plan from the backend's cache (for TorchSharp's network, its own, which training or loading weights
    // replaces): read without the lock once compiled, compiled under it (compiling reads the network); null for
    // architectures without a plan builder.
    private Inference.InferencePlan? PlanFor(int switchIndex)
    {
        if (_exported is not null) return _exported.Plan(switchIndex);
        if (PlanWalks.For(_network!.Options.Architecture) is null) return null;
        if (_network.CompiledPlan(switchIndex) is { } compiled) return compiled;
        lock (_forwardGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _network.CompilePlan(switchIndex);
        }
    }

    /// <summary>Runs <paramref name="action"/> while no forward pass can run (used when saving).</summary>
    internal T WithBackend<T>(Func<INetworkBackend, T> action)
    {
        lock (_forwardGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action(Backend);
        }
    }
}
