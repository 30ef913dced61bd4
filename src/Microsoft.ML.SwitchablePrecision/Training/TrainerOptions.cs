using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>
/// Settings of <c>SwitchableNetworkTrainer</c>. The defaults aim at a good model on 28-32 px images on a 2-core CPU
/// (SGD with momentum, cosine decay, small random crops). See docs/training.md.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Images per optimizer step; the last batch of an epoch may be smaller. Default 32: on short budgets the extra
    /// steps let the quantized switches learn (measured in docs/results/short-budget), at about 1.1 times the
    /// processor time per image of batch 128.
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Base (peak) learning rate. Default 0.01, with the default <see cref="OptimizerKind.Adam"/>; about 0.1 suits
    /// <see cref="OptimizerKind.Sgd"/> with momentum 0.9.
    /// </summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>
    /// The optimizer. Default <see cref="OptimizerKind.Adam"/>: with a learning rate of 0.01 and no weight decay it
    /// trained every switch of the binary-weight family better than SGD (0.1, momentum 0.9, weight decay 5e-4) on short
    /// budgets and as well on longer ones (docs/results/short-budget/README.md). Models saved before it store the
    /// optimizer they were trained with.
    /// </summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>SGD momentum, 0 to below 1 (Adam ignores it). Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Use Nesterov momentum with SGD (needs <see cref="Momentum"/> above 0). Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>
    /// L2 weight decay, applied only to convolution and linear weights (parameters of two or more dimensions), never to
    /// BatchNorm affine parameters, biases or quantizer parameters (clipping levels, step sizes). Default 0 (none,
    /// the measured best with the default Adam); 5e-4 is the usual value with <see cref="OptimizerKind.Sgd"/>.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>The learning-rate schedule, applied per step. Default <see cref="LearningRateSchedule.Cosine"/>.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: epochs between decays; 0 means a third of <see cref="Epochs"/> (at least 1). Default 0.</summary>
    public int StepSizeEpochs { get; init; }

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: the factor applied at each decay, above 0 and at most 1. Default 0.1.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Epochs of linear warm-up from near 0 to the base learning rate before the schedule starts; 0 = none. Default 0.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>
    /// How the quantized switches learn from the more precise ones. Default <see cref="DistillationMode.Off"/>; the
    /// modes are compared in docs/training.md and docs/results/README.md.
    /// </summary>
    public DistillationMode Distillation { get; init; } = DistillationMode.Off;

    /// <summary>Softmax temperature of the distillation targets and students; the soft loss is scaled by its square. Default 1.</summary>
    public double Temperature { get; init; } = 1;

    /// <summary>Weight of the hard-label cross-entropy added to a distilled switch's soft loss; 0 = soft loss only. Default 1 (used only when distilling).</summary>
    public double HardLabelWeight { get; init; } = 1;

    /// <summary>Random-crop augmentation: images are zero-padded by this many pixels on each side and cropped back at a random offset; 0 = off. Default 2.</summary>
    public int RandomCropPadding { get; init; } = 2;

    /// <summary>Random horizontal flip augmentation (off by default: not every image domain is mirror-symmetric).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Seed of the shuffling, the augmentation and torch's generator. Same seed, data and threads give identical weights.</summary>
    public int Seed { get; init; }

    /// <summary>Threads torch uses while training (restored afterwards); 0 leaves torch's setting. Default 0.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Whether the (weighted) switch losses are averaged (default, <see cref="SwitchLossReduction.Mean"/>) or added
    /// (<see cref="SwitchLossReduction.Sum"/>, the papers' convention).
    /// </summary>
    public SwitchLossReduction SwitchLossReduction { get; init; } = SwitchLossReduction.Mean;

    /// <summary>One loss weight per switch, in the network's switch order; null means 1 for every switch. Each at least 0, one above 0.</summary>
    public IReadOnlyList<double>? SwitchLossWeights { get; init; }

    /// <summary>
    /// Fraction of the run's steps, at least 0 and below 1, spent training the shared weights as a plain full-precision
    /// network before the switches train jointly (the AdaBits, LSQ and Any-Precision recipes start from float weights).
    /// During those first steps every quantizer is bypassed and one forward pass per batch, with the most precise
    /// switch's BatchNorm and the hard labels, makes the step; at the hand-over that BatchNorm's parameters and
    /// statistics are copied to every switch. The learning-rate schedule runs over the whole run. Default 0.1 (a tenth
    /// of the steps; the measured effect on short budgets is in docs/results/short-budget); 0 turns the warm start off.
    /// </summary>
    public double FullPrecisionWarmStart { get; init; } = 0.1;

    /// <summary>
    /// Whether <see cref="WeightDecay"/> applies to the latent weights of layers that quantize their weights (true,
    /// default) or only to the full-precision layers' weights (false; BNN recipes leave latent binary weights undecayed,
    /// since the sign, not the size, of a latent binary weight is what the network uses).
    /// </summary>
    public bool DecayQuantizedWeights { get; init; } = true;

    /// <summary>
    /// After the last epoch, replace every switch's BatchNorm running statistics with their average over this many
    /// unaugmented batches of <see cref="BatchNormReestimationBatchSize"/> images drawn at random (with <see cref="Seed"/>) from the whole
    /// training set (all of it when it holds fewer), computed with the final weights (<c>BatchNormReestimation</c>), so
    /// that training data sorted by class is sampled evenly; 0 keeps the statistics training left. Default 50: with
    /// the default Adam the running statistics of a switch can trail its weights at the end of a short run (measured:
    /// a W1A1 switch at 42% on test images and 72% on its last training epoch recovered to 73%), and re-estimation
    /// never cost more than about a point elsewhere (docs/results/short-budget/README.md). The end-of-epoch reports (and
    /// validation) are made before it.
    /// </summary>
    public int BatchNormReestimationBatches { get; init; } = 50;

    /// <summary>
    /// Images per batch of the BatchNorm re-estimation (<see cref="BatchNormReestimationBatches"/>), independent of the
    /// training <see cref="BatchSize"/>. Default 128. Re-estimation runs the network in training mode, so every layer
    /// sees activations normalised with the statistics of its batch, and a low-bit switch quantizes those: with small
    /// batches the later layers' statistics are those of a noisier network than the one evaluated, and a 2-bit
    /// switch's accuracy came to depend on the draw (measured in docs/training.md, "Evaluation", and
    /// docs/results/sample/reestimation-batch-size-2026-12-03.txt).
    /// </summary>
    public int BatchNormReestimationBatchSize { get; init; } = 128;

    /// <summary>
    /// A folder for a checkpoint written at the end of every epoch (weights, BatchNorm statistics, optimizer state and
    /// progress, in one file replaced atomically). When it already holds the checkpoint of the same run (same network,
    /// settings and data), training resumes after its last finished epoch and ends with the same weights as an
    /// uninterrupted run with the same seed and threads. Null (default) writes no checkpoint.
    /// </summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>
    /// With <see cref="CheckpointFolder"/> set, also write the checkpoint within an epoch, after the first step that
    /// ends at least this long after the last checkpoint, so an interrupted run loses at most about this much work
    /// rather than its unfinished epoch. <see cref="TimeSpan.Zero"/> writes one after every step. A run resumed from a
    /// checkpoint within an epoch ends with the same weights as an uninterrupted run, as from one at an epoch's end.
    /// Null (default): at the end of every epoch only.
    /// </summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and the expected range.</summary>
    /// <param name="owner">The type the user set the options on, named in the message (<c>SpNetOptions</c> has the same option names).</param>
    internal void Validate(string owner = nameof(TrainerOptions))
    {
        void Require(bool condition, string name, object value, string expected) => RequireOption(condition, owner, name, value, expected);

        Require(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "a finite number above 0");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "Sgd or Adam");
        Require(Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "at least 0 and below 1");
        Require(!(Nesterov && Optimizer == OptimizerKind.Sgd && Momentum == 0), nameof(Nesterov), Nesterov,
            "false when Momentum is 0 (Nesterov momentum needs momentum)");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "a finite number of at least 0");
        Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "Constant, Cosine or Step");
        Require(StepSizeEpochs >= 0, nameof(StepSizeEpochs), StepSizeEpochs, "at least 0 (0 = a third of Epochs)");
        Require(StepGamma is > 0 and <= 1, nameof(StepGamma), StepGamma, "above 0 and at most 1");
        Require(WarmupEpochs >= 0 && WarmupEpochs <= Epochs, nameof(WarmupEpochs), WarmupEpochs, $"0 to Epochs ({Epochs})");
        Require(Enum.IsDefined(Distillation), nameof(Distillation), Distillation, "Off, FromTeacher or Recursive");
        Require(double.IsFinite(Temperature) && Temperature > 0, nameof(Temperature), Temperature, "a finite number above 0");
        Require(double.IsFinite(HardLabelWeight) && HardLabelWeight >= 0, nameof(HardLabelWeight), HardLabelWeight, "a finite number of at least 0");
        Require(RandomCropPadding >= 0, nameof(RandomCropPadding), RandomCropPadding, "at least 0 (0 = off)");
        Require(Enum.IsDefined(SwitchLossReduction), nameof(SwitchLossReduction), SwitchLossReduction, "Sum or Mean");
        Require(Threads >= 0, nameof(Threads), Threads, "at least 0 (0 = torch's setting)");
        Require(double.IsFinite(FullPrecisionWarmStart) && FullPrecisionWarmStart is >= 0 and < 1, nameof(FullPrecisionWarmStart),
            FullPrecisionWarmStart, "at least 0 and below 1 (a fraction of the training steps)");
        Require(BatchNormReestimationBatches >= 0, nameof(BatchNormReestimationBatches), BatchNormReestimationBatches, "at least 0 (0 = off)");
        Require(BatchNormReestimationBatchSize >= 1, nameof(BatchNormReestimationBatchSize), BatchNormReestimationBatchSize, "at least 1");
        Require(CheckpointFolder is null || !string.IsNullOrWhiteSpace(CheckpointFolder), nameof(CheckpointFolder), $"'{CheckpointFolder}'",
            "null (no checkpoints) or a folder path");
        Require(CheckpointInterval is null || CheckpointInterval >= TimeSpan.Zero, nameof(CheckpointInterval), CheckpointInterval!,
            "null (at epoch ends only) or a time of at least zero");
        if (SwitchLossWeights is { } weights)
        {
            for (int i = 0; i < weights.Count; i++)
                Require(double.IsFinite(weights[i]) && weights[i] >= 0, $"{nameof(SwitchLossWeights)}[{i}]", weights[i], "a finite number of at least 0");
            Require(weights.Any(w => w > 0), nameof(SwitchLossWeights), "all zero", "at least one weight above 0");
        }
    }

    private static void RequireOption(bool condition, string owner, string name, object value, string expected)
    {
        if (condition) return;
        string shown = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
        throw new ArgumentException($"{owner}.{name} is {shown}; expected {expected}.", "options");
    }
}
