namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// TorchSharp's native libraries could not be loaded, so nothing that trains, loads or scores a network can run. The
/// message names the cause (for example a system libstdc++ older than the one TorchSharp was built with, or a
/// missing native package) and points to the README's troubleshooting section.
/// </summary>
public sealed class TorchSharpLoadException : InvalidOperationException
{
    /// <summary>Creates the exception with the cause and the original failure.</summary>
    public TorchSharpLoadException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
