namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// The quantizer family a switchable network uses for weights and activations (see docs/method.md). Each member is
/// backed by one registered family (docs/method.md, section 10); a value without one is rejected when the network is
/// built.
/// </summary>
public enum QuantizerKind
{
    /// <summary>DoReFa: fixed ranges; tanh-normalised k-bit weights, activations clamped to [0, 1].</summary>
    DoReFa,

    /// <summary>PACT: activations clipped to a clipping level learned per switch and per layer; weights as DoReFa.</summary>
    Pact,

    /// <summary>LSQ: step sizes learned per switch and per layer for weights and activations.</summary>
    Lsq,
}
