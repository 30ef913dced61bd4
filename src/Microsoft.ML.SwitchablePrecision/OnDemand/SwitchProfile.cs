using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// What one switch of a trained network costs and how accurate it is: the facts <see cref="PrecisionBudget"/>
/// limits are checked against. Read them from <see cref="SwitchablePrecisionTransformer.Profiles"/> (ordered like
/// <see cref="SwitchablePrecisionTransformer.Switches"/>).
/// </summary>
/// <param name="Precision">The switch.</param>
/// <param name="Accuracy">Top-1 accuracy (0 to 1) on the data held out at training (<see cref="SpNetOptions.ValidationSet"/>
/// or <see cref="SpNetOptions.ProfileHoldoutFraction"/>), saved with the model; null when the model was trained with neither.</param>
/// <param name="WeightBytes">Bytes of the weights at this switch's bit widths, packed (<see cref="SwitchCost.PackedWeightBytes"/>).</param>
/// <param name="PeakWorkingBytes">Bytes of activations and scratch one batch-1 prediction needs on the compiled inference plan;
/// null for architectures without a plan.</param>
/// <param name="BinaryMacs">Multiply-accumulates per image with both operands at 1 bit (<see cref="SwitchCost.BinaryMacs"/>).</param>
/// <param name="LowBitMacs">Multiply-accumulates per image with both operands at 1 to 8 bits, not both 1 (<see cref="SwitchCost.LowBitMacs"/>).</param>
/// <param name="FullPrecisionMacs">Multiply-accumulates per image with an operand at 32 bits (<see cref="SwitchCost.FullPrecisionMacs"/>).</param>
/// <param name="EstimatedEnergyPerImage">An estimate, in joules, of the arithmetic energy of one image: the MACs of each kind
/// times <see cref="OperationEnergyEstimates"/>. A comparison between switches, not a measurement of this machine.</param>
/// <param name="Latency">Measured on this machine, in this process (by <see cref="SwitchablePrecisionTransformer.MeasureLatency"/>, or
/// on the first read of <see cref="SwitchablePrecisionTransformer.Profiles"/>); null only in profiles built by hand without it.</param>
public sealed record SwitchProfile(Precision Precision, double? Accuracy, long WeightBytes, long? PeakWorkingBytes,
    long BinaryMacs, long LowBitMacs, long FullPrecisionMacs, double EstimatedEnergyPerImage, SwitchLatency? Latency)
{
    /// <summary>All multiply-accumulates per image.</summary>
    public long TotalMacs => BinaryMacs + LowBitMacs + FullPrecisionMacs;

    /// <summary>The profile of a switch from its precision report entry, with the figures the report does not hold.</summary>
    internal static SwitchProfile From(SwitchCost cost, double? accuracy, long? peakWorkingBytes, SwitchLatency? latency) =>
        new(cost.Precision, accuracy, cost.PackedWeightBytes, peakWorkingBytes, cost.BinaryMacs, cost.LowBitMacs,
            cost.FullPrecisionMacs, OperationEnergyEstimates.EstimatedJoulesPerImage(cost), latency);
}
