namespace Microsoft.ML.SwitchablePrecision;

/// <summary>The optimizer that updates the shared weights.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with momentum (optionally Nesterov).</summary>
    Sgd,

    /// <summary>Adam, with weight decay applied as an L2 term to the decayed parameters.</summary>
    Adam,
}
