namespace Microsoft.ML.SwitchablePrecision;

/// <summary>How the losses of the switches combine into the one gradient of a training step.</summary>
public enum SwitchLossReduction
{
    /// <summary>
    /// The switch losses are added (the convention of the SP-Nets and Any-Precision papers): with SGD the shared
    /// weights move k times as far per step as a one-switch network's at the same learning rate, while each switch's
    /// own BatchNorm and quantizer parameters get one gradient.
    /// </summary>
    Sum,

    /// <summary>
    /// The switch losses are averaged (each weighted 1/k): the shared weights get the mean gradient, so a learning
    /// rate means the same step as for a one-switch network. The default; the two are compared in docs/results/README.md.
    /// </summary>
    Mean,
}
