namespace Microsoft.ML.SwitchablePrecision.Experiments.Cells;

/// <summary>The cached outcome of one cell: its spec, where and how long it ran, and per-switch test accuracy.</summary>
internal sealed record CellResult
{
    /// <summary>What was trained.</summary>
    public required CellSpec Spec { get; init; }

    /// <summary>The git commit of the code that ran it, or "unknown" outside a git checkout.</summary>
    public required string Commit { get; init; }

    /// <summary>True when the checkout had uncommitted changes at run time.</summary>
    public bool Dirty { get; init; }

    /// <summary>When the run finished (UTC).</summary>
    public required DateTime FinishedUtc { get; init; }

    /// <summary>Wall time of training plus the final evaluation, in seconds.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>
    /// The processor that trained it (<see cref="Kernels.CpuDescription"/>); null for cells run before it was recorded.
    /// Training is reproducible on one machine, not across machines (docs/results/short-budget/README.md).
    /// </summary>
    public string? Machine { get; init; }

    /// <summary>Torch threads used.</summary>
    public required int Threads { get; init; }

    /// <summary>Training images.</summary>
    public required int TrainImages { get; init; }

    /// <summary>Test images.</summary>
    public required int TestImages { get; init; }

    /// <summary>Test accuracy and loss of every switch, in the network's switch order.</summary>
    public required IReadOnlyList<SwitchAccuracy> Test { get; init; }

    /// <summary>Running training accuracy of every switch over the last epoch (augmented batches, training mode).</summary>
    public IReadOnlyList<SwitchAccuracy> LastEpochTrain { get; init; } = [];

    /// <summary>
    /// Test accuracy and loss of every switch after re-estimating the BatchNorm statistics on training images
    /// (see <see cref="Training.BatchNormReestimation"/>); null for cells run before it was recorded.
    /// </summary>
    public IReadOnlyList<SwitchAccuracy>? TestAfterBatchNormReestimation { get; init; }

    /// <summary>
    /// The last epoch a previous, interrupted process had finished when this run resumed from its checkpoint (the wall
    /// time then adds up the sittings; 0 when it resumed within the first epoch); null for a run trained in one go.
    /// </summary>
    public int? ResumedAfterEpoch { get; init; }

    /// <summary>The test accuracy of <paramref name="precision"/>, or null when the network has no such switch.</summary>
    public double? AccuracyOf(string precision) => Test.FirstOrDefault(t => t.Precision == precision)?.Accuracy;

    /// <summary>The accuracy of <paramref name="precision"/> by <paramref name="measure"/>, or null when it was not recorded.</summary>
    public double? AccuracyOf(string precision, AccuracyMeasure measure) => measure == AccuracyMeasure.Test
        ? AccuracyOf(precision)
        : TestAfterBatchNormReestimation?.FirstOrDefault(t => t.Precision == precision)?.Accuracy;
}

/// <summary>Which recorded test accuracy a table row shows.</summary>
internal enum AccuracyMeasure
{
    /// <summary>With the running statistics left by training.</summary>
    Test,

    /// <summary>After re-estimating every switch's BatchNorm statistics.</summary>
    AfterBatchNormReestimation,
}
