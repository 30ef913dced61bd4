using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// Options of <c>SwitchablePrecisionEstimator</c>, in the style of ML.NET's trainers, checked when the estimator is created
/// (errors name the option as <c>SpNetOptions.Name</c>). The defaults train a binary-weight SP-Net (W1A1, W1A2, W1A4,
/// W1A32) on 28-32 px images on a 2-core CPU.
/// </summary>
/// <remarks>
/// Three groups of fields: the columns and scoring settings (this type's own), the network's shape (each named as a
/// property of <see cref="Architectures.NetworkOptions"/>) and the training recipe (each named as a property of
/// <see cref="TrainerOptions"/>). Fields of the last two groups are copied to those records by name, validated by
/// them and stored with the model as those records, so an option is defined once, in the record it belongs to, plus
/// its field here.
/// </remarks>
public sealed class SpNetOptions
{
    private static readonly TrainerOptions TrainerDefaults = new();

    /// <summary>The label column: a key type (run <c>MapValueToKey</c> first); its key count is the number of classes.</summary>
    public string LabelColumnName = "Label";

    /// <summary>The image column: a known-size vector of Single, as <c>ExtractPixels</c> produces, in (C, H, W) order.</summary>
    public string FeatureColumnName = "Features";

    /// <summary>The output column of class probabilities (vector of Single, one per class).</summary>
    public string ScoreColumnName = "Score";

    /// <summary>The output column of the predicted class (a key of the label's type, carrying its key values).</summary>
    public string PredictedLabelColumnName = "PredictedLabel";

    /// <summary>The switches to train; each gets its own BatchNorm and quantizer parameters. Default: W1A1, W1A2, W1A4, W1A32.</summary>
    public IList<Precision> Switches = [new(1, 1), new(1, 2), new(1, 4), new(1, 32)];

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Quantizer = QuantizerKind.DoReFa;

    /// <summary>The network shape.</summary>
    public ArchitectureKind Architecture = ArchitectureKind.ResNet20;

    /// <summary>Channel width multiplier of the architecture (1 = published widths).</summary>
    public double WidthMultiplier = 1.0;

    /// <summary>Quantize the first convolution and the classifier too (by convention they stay full precision).</summary>
    public bool QuantizeFirstAndLastLayers;

    /// <summary>
    /// Clip layer inputs to [0, 1] at 32-bit activation switches too, as DoReFa does at the lower bit widths, so every
    /// switch sees activations on one range (DoReFa only). Default false. What it changes in accuracy is measured in
    /// docs/results/README.md ("diagnosis-clip").
    /// </summary>
    public bool ClipFullPrecisionActivations;

    /// <summary>How the most precise switch teaches the others.</summary>
    public DistillationMode Distillation = TrainerDefaults.Distillation;

    /// <summary>Softmax temperature of the distillation targets.</summary>
    public double Temperature = TrainerDefaults.Temperature;

    /// <summary>Weight of the hard-label loss added to a distilled switch's soft loss.</summary>
    public double HardLabelWeight = TrainerDefaults.HardLabelWeight;

    /// <summary>
    /// Whether the switch losses are averaged, <c>L = (1/S) sum_i w_i L_i</c> (default), or added, <c>L = sum_i w_i L_i</c>
    /// (the papers' convention), where <c>w_i</c> are <see cref="SwitchLossWeights"/>. With SGD, adding scales the step
    /// by the number of switches. Measured in docs/results/README.md ("diagnosis").
    /// </summary>
    public SwitchLossReduction SwitchLossReduction = TrainerDefaults.SwitchLossReduction;

    /// <summary>
    /// One loss weight per entry of <see cref="Switches"/>, in the same order (each at least 0, one above 0), applied
    /// before <see cref="SwitchLossReduction"/>; null (default) weights every switch equally. Weighting the most precise
    /// switch up is measured in docs/results/README.md ("diagnosis").
    /// </summary>
    public IList<double>? SwitchLossWeights;

    /// <summary>Passes over the training data.</summary>
    public int Epochs = TrainerDefaults.Epochs;

    /// <summary>Images per training step. Default 32 (short budgets learn from the steps; docs/training.md).</summary>
    public int BatchSize = TrainerDefaults.BatchSize;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate = TrainerDefaults.LearningRate;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer = TrainerDefaults.Optimizer;

    /// <summary>Momentum of SGD, at least 0 and below 1 (Adam ignores it).</summary>
    public double Momentum = TrainerDefaults.Momentum;

    /// <summary>Nesterov momentum with SGD (needs <see cref="Momentum"/> above 0). Default false.</summary>
    public bool Nesterov = TrainerDefaults.Nesterov;

    /// <summary>L2 weight decay of the convolution and linear weights.</summary>
    public double WeightDecay = TrainerDefaults.WeightDecay;

    /// <summary>How the learning rate changes over training (per step).</summary>
    public LearningRateSchedule Schedule = TrainerDefaults.Schedule;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: epochs between decays; 0 (default) means a third of <see cref="Epochs"/> (at least 1).</summary>
    public int StepSizeEpochs = TrainerDefaults.StepSizeEpochs;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: the factor applied at each decay, above 0 and at most 1. Default 0.1.</summary>
    public double StepGamma = TrainerDefaults.StepGamma;

    /// <summary>Epochs of linear warm-up from near 0 to <see cref="LearningRate"/> before the schedule starts, 0 to <see cref="Epochs"/>; 0 (default) = none.</summary>
    public int WarmupEpochs = TrainerDefaults.WarmupEpochs;

    /// <summary>Zero padding of the random-crop augmentation, in pixels (0 turns it off).</summary>
    public int RandomCropPadding = TrainerDefaults.RandomCropPadding;

    /// <summary>Random horizontal flips (off by default: they change the meaning of some images).</summary>
    public bool HorizontalFlip = TrainerDefaults.HorizontalFlip;

    /// <summary>
    /// Fraction of the training steps, at least 0 and below 1, spent training the shared weights as a plain
    /// full-precision network (quantizers bypassed, one pass per batch) before the switches train jointly; the
    /// switches then start from the float network's BatchNorm. Default 0.1; 0 turns it off. See docs/training.md.
    /// </summary>
    public double FullPrecisionWarmStart = TrainerDefaults.FullPrecisionWarmStart;

    /// <summary>
    /// Whether <see cref="WeightDecay"/> also applies to the latent weights of layers that quantize their weights
    /// (default true); false decays only the full-precision layers (the first convolution and the classifier).
    /// </summary>
    public bool DecayQuantizedWeights = TrainerDefaults.DecayQuantizedWeights;

    /// <summary>
    /// Batches of training images (unaugmented, <see cref="BatchNormReestimationBatchSize"/> each, drawn at random from the whole training
    /// set, so that rows sorted by class are sampled evenly) over which every switch's BatchNorm statistics are
    /// re-estimated with the final weights after training; 0 keeps the statistics training left.
    /// Default 50 (see <see cref="Training.TrainerOptions.BatchNormReestimationBatches"/>, docs/training.md and
    /// docs/results/short-budget).
    /// </summary>
    public int BatchNormReestimationBatches = TrainerDefaults.BatchNormReestimationBatches;

    /// <summary>
    /// Images per batch of the BatchNorm re-estimation after training, independent of <see cref="BatchSize"/>. Default 128
    /// (see <see cref="Training.TrainerOptions.BatchNormReestimationBatchSize"/>: small re-estimation batches made a
    /// 2-bit switch's accuracy depend on the draw; docs/training.md, "Evaluation").
    /// </summary>
    public int BatchNormReestimationBatchSize = TrainerDefaults.BatchNormReestimationBatchSize;

    /// <summary>
    /// A folder for a training checkpoint written at the end of every epoch; a later <c>Fit</c> of the same pipeline
    /// (same data, options and <c>MLContext</c> seed) with the same folder resumes after the last finished epoch and
    /// ends with the same model as an uninterrupted fit. A checkpoint of another run is refused with an error naming
    /// the file. Not stored in the saved model. Null (default) writes no checkpoint. See docs/training.md.
    /// </summary>
    public string? CheckpointFolder;

    /// <summary>
    /// With <see cref="CheckpointFolder"/> set, also checkpoint within an epoch, after the first step that ends at
    /// least this long after the last checkpoint (<see cref="TimeSpan.Zero"/>: after every step), so an interrupted fit
    /// loses at most about this much training. The resumed fit still ends with the same model. Not stored in the saved
    /// model. Null (default): at the end of every epoch only.
    /// </summary>
    public TimeSpan? CheckpointInterval;

    /// <summary>Optional held-out data, scored for every switch at the end of each epoch and reported.</summary>
    public IDataView? ValidationSet;

    /// <summary>
    /// When no <see cref="ValidationSet"/> is given, the fraction of the training rows (0 to 0.5) kept out of training to
    /// measure each switch's top-1 accuracy for <see cref="SwitchablePrecisionTransformer.Profiles"/> and budget selection;
    /// the accuracies are saved with the model. Default 0: nothing is held back, so a model trains on exactly the rows it
    /// is given (a default above 0 would change every model trained without a validation set) and its profile accuracies
    /// stay unknown; 0.1 is a reasonable choice when they are wanted (1,000 rows of 10,000 give each accuracy a standard
    /// error under 1.6 points). Ignored when <see cref="ValidationSet"/> is given.
    /// </summary>
    public double ProfileHoldoutFraction;

    /// <summary>Called after each training step and each epoch with the loss and accuracy of every switch.</summary>
    public Action<TrainingProgress>? MetricsCallback;

    /// <summary>Image channels, when the feature column does not carry (C, H, W) dimensions (0 = infer).</summary>
    public int ImageChannels;

    /// <summary>Image height, when the feature column does not carry (C, H, W) dimensions (0 = infer).</summary>
    public int ImageHeight;

    /// <summary>Image width, when the feature column does not carry (C, H, W) dimensions (0 = infer).</summary>
    public int ImageWidth;

    /// <summary>Images per forward pass when scoring.</summary>
    public int ScoringBatchSize = 256;

    /// <summary>A copy of these options (the validation set and callback are shared, not copied).</summary>
    public SpNetOptions Clone()
    {
        var copy = (SpNetOptions)MemberwiseClone();
        copy.Switches = Switches.ToList();
        copy.SwitchLossWeights = SwitchLossWeights?.ToList();
        return copy;
    }
}
