using Microsoft.ML.SwitchablePrecision.Reporting;

namespace Microsoft.ML.SwitchablePrecision.OnDemand;

/// <summary>
/// Estimated energy of one multiply-accumulate of each kind, from the 45 nm, 0.9 V figures of M. Horowitz,
/// "Computing's energy problem (and what we can do about it)", IEEE ISSCC 2014, pp. 10-14: 32-bit float multiply
/// 3.7 pJ and add 0.9 pJ; 8-bit integer multiply 0.2 pJ and add 0.03 pJ. These are estimates for comparing switches
/// with each other: they count arithmetic only (no memory traffic, which the same paper shows often dominates) and
/// describe a 45 nm chip, not the processor that runs the model.
/// </summary>
/// <remarks>
/// Kinds are those of <see cref="SwitchCost"/>. A low-bit MAC (both operands at 1 to 8 bits) is charged as an 8-bit
/// integer multiply and add, an upper bound at fewer bits. A binary MAC (1-bit weights and activations: an AND and a
/// share of a popcount) has no entry in the paper; it is charged as one 8-bit add, also an upper bound. A MAC with an
/// operand at 32 bits is charged as a 32-bit float multiply and add, which overstates the sign-controlled additions
/// of 1-bit weights with float activations (BinaryConnect).
/// </remarks>
public static class OperationEnergyEstimates
{
    /// <summary>Estimated picojoules of one MAC with an operand at 32 bits: float multiply 3.7 + add 0.9.</summary>
    public const double FullPrecisionMacPicojoules = 3.7 + 0.9;

    /// <summary>Estimated picojoules of one MAC with both operands at 1 to 8 bits: 8-bit integer multiply 0.2 + add 0.03.</summary>
    public const double LowBitMacPicojoules = 0.2 + 0.03;

    /// <summary>Estimated picojoules of one MAC with 1-bit weights and 1-bit activations: one 8-bit integer add, 0.03.</summary>
    public const double BinaryMacPicojoules = 0.03;

    /// <summary>The estimated arithmetic energy of one image at the switch of <paramref name="cost"/>, in joules.</summary>
    public static double EstimatedJoulesPerImage(SwitchCost cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        double picojoules = cost.BinaryMacs * BinaryMacPicojoules + cost.LowBitMacs * LowBitMacPicojoules
            + cost.FullPrecisionMacs * FullPrecisionMacPicojoules;
        return picojoules * 1e-12;
    }
}
