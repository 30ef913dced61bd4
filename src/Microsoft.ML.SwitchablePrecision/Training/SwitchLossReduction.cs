namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>How the losses of the switches combine into the one gradient of a training step.</summary>
public enum SwitchLossReduction
{
    /// <summary>
    /// The switch losses are added (the convention of the SP-Nets and Any-Precision papers): the shared weights get
    /// k gradients per step while each switch's own BatchNorm and quantizer parameters get one.
    /// </summary>
    Sum,

    /// <summary>
    /// The switch losses are averaged (each weighted 1/k): the shared weights get the mean gradient. Measured better at
    /// short training budgets (docs/results/README.md).
    /// </summary>
    Mean,
}
