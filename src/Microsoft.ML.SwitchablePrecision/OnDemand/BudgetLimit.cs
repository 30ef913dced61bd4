namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>A limit of a <see cref="PrecisionBudget"/>.</summary>
public enum BudgetLimit
{
    /// <summary><see cref="PrecisionBudget.MaxLatency"/>.</summary>
    Latency,

    /// <summary><see cref="PrecisionBudget.MaxWorkingBytes"/>.</summary>
    WorkingBytes,

    /// <summary><see cref="PrecisionBudget.MaxEnergyPerImage"/>.</summary>
    EnergyPerImage,

    /// <summary><see cref="PrecisionBudget.MinAccuracy"/>.</summary>
    Accuracy,
}
