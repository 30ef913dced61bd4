using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Native;

/// <summary>
/// Scalars to pass to TorchSharp instead of numbers. TorchSharp 0.107 hands a Scalar's native handle to libtorch
/// without keeping the managed <see cref="Scalar"/> reachable, so the Scalar that an implicit conversion creates
/// (<c>x.add_(0.5)</c>, and the alpha of 1 that TorchSharp itself creates inside <c>x.add_(y)</c>) can be finalized,
/// and its native value freed, while libtorch is still to read it: then c10::Scalar::toFloat fails with "Expected false
/// to be true", or the operation reads whatever now occupies that memory. It needs a garbage collection while the
/// calling thread is descheduled between the two, so it shows on loaded machines (docs/training.md, "TorchSharp scalars").
/// These constants stay reachable for the life of the process; a value known only at run time is created with
/// <c>using var s = value.ToScalar();</c>, which keeps it reachable until after the call.
/// </summary>
internal static class TorchScalars
{
    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>The integer 1 (also the alpha of <c>add_(tensor, alpha)</c>).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>The integer 2.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>The double 0.5.</summary>
    public static readonly Scalar Half = 0.5.ToScalar();
}
