using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>Builds switchable networks from <see cref="NetworkOptions"/>.</summary>
public static class NetworkFactory
{
    /// <summary>Smallest supported input height and width.</summary>
    public const int MinimumImageSize = NetworkLimits.MinimumImageSize;

    /// <summary>Largest supported input height and width (keeps every size product far from integer overflow).</summary>
    public const int MaximumImageSize = NetworkLimits.MaximumImageSize;

    /// <summary>Largest supported number of classes.</summary>
    public const int MaximumClasses = NetworkLimits.MaximumClasses;

    /// <summary>Largest supported channel width multiplier.</summary>
    public const double MaximumWidthMultiplier = NetworkLimits.MaximumWidthMultiplier;

    /// <summary>
    /// Validates <paramref name="options"/> and builds the network it describes with weights drawn from TorchSharp's
    /// global generator (prefer <see cref="Create(NetworkOptions, long)"/> for reproducible weights). Two calls with equal options
    /// produce networks with identical parameter and buffer names, so one's saved state loads into the other.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or one of its lists is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and the expected values.</exception>
    /// <exception cref="TorchSharpLoadException">TorchSharp's native libraries cannot be loaded.</exception>
    public static SwitchableNetwork Create(NetworkOptions options)
    {
        Validate(options);
        TorchSharpRuntime.EnsureAvailable();
        return Build(options);
    }

    /// <summary>
    /// Like <see cref="Create(NetworkOptions)"/>, with the initial weights drawn from a private generator seeded with
    /// <paramref name="seed"/>: equal options and seed give identical weights, whatever other threads draw meanwhile,
    /// and the same weights as <c>torch.manual_seed(seed)</c> followed by <see cref="Create(NetworkOptions)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or one of its lists is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and the expected values.</exception>
    /// <exception cref="TorchSharpLoadException">TorchSharp's native libraries cannot be loaded.</exception>
    public static SwitchableNetwork Create(NetworkOptions options, long seed)
    {
        Validate(options);
        TorchSharpRuntime.EnsureAvailable();
        using var weights = InitialWeights.Seeded(seed);
        return Build(options);
    }

    private static SwitchableNetwork Build(NetworkOptions options) =>
        ArchitectureRegistry.Get(options.Architecture, nameof(options)).Build(options);

    /// <summary>
    /// A lower bound on the float32 bytes of the weights the network <paramref name="options"/> describes, computed
    /// without building it (each architecture's <see cref="ArchitectureDefinition.MinimumWeightBytes"/>). A stored model
    /// whose payload is smaller cannot hold that network, so it is rejected before any allocation. Call after
    /// <see cref="Validate"/>.
    /// </summary>
    internal static long MinimumWeightBytes(NetworkOptions options) =>
        ArchitectureRegistry.Get(options.Architecture, nameof(options)).MinimumWeightBytes(options);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public static void Validate(NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArchitectureRegistry.Get(options.Architecture, nameof(options));
        NetworkLimits.Validate(options);
    }

    /// <summary>Scales a published channel count by the width multiplier (at least 1 channel).</summary>
    internal static long Scale(int channels, double multiplier) => Layouts.ChannelWidths.Scale(channels, multiplier);
}
