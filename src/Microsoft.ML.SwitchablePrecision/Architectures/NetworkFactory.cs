using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Native;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>Builds switchable networks from <see cref="NetworkOptions"/>.</summary>
public static class NetworkFactory
{
    /// <summary>Smallest supported input height and width.</summary>
    public const int MinimumImageSize = 8;

    /// <summary>Largest supported input height and width (keeps every size product far from integer overflow).</summary>
    public const int MaximumImageSize = 1024;

    /// <summary>Largest supported number of classes.</summary>
    public const int MaximumClasses = 100_000;

    /// <summary>Largest supported channel width multiplier.</summary>
    public const double MaximumWidthMultiplier = 8;

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
        const string name = nameof(options);
        ArchitectureRegistry.Get(options.Architecture, name);
        QuantizerRegistry.Get(options.Quantizer, name);
        if (ClipProblem(options.ClipFullPrecisionActivations, options.Quantizer) is { } clip) throw new ArgumentException(clip, name);
        if (options.InputChannels is not (1 or 3))
            throw new ArgumentException($"InputChannels is {options.InputChannels}: expected 1 (grey) or 3 (colour).", name);
        if (options.Height < MinimumImageSize || options.Width < MinimumImageSize)
            throw new ArgumentException($"Image size {options.Height}x{options.Width} is too small: Height and Width must be at least {MinimumImageSize}.", name);
        if (options.Height > MaximumImageSize || options.Width > MaximumImageSize)
            throw new ArgumentException($"Image size {options.Height}x{options.Width} is too large: Height and Width must be at most {MaximumImageSize}.", name);
        if (options.Classes < 2)
            throw new ArgumentException($"Classes is {options.Classes}: expected at least 2.", name);
        if (options.Classes > MaximumClasses)
            throw new ArgumentException($"Classes is {options.Classes}: expected at most {MaximumClasses}.", name);
        if (options.Switches is null) throw new ArgumentNullException(name, "Switches must not be null.");
        SwitchList.Check(options.Switches, name);
        if (!double.IsFinite(options.WidthMultiplier) || options.WidthMultiplier <= 0)
            throw new ArgumentException($"WidthMultiplier is {options.WidthMultiplier}: expected a finite value greater than 0.", name);
        if (options.WidthMultiplier > MaximumWidthMultiplier)
            throw new ArgumentException($"WidthMultiplier is {options.WidthMultiplier}: expected at most {MaximumWidthMultiplier}.", name);
        CheckChannelList(options.InputMean, nameof(options.InputMean), options.InputChannels, name, mustBePositive: false);
        CheckChannelList(options.InputStd, nameof(options.InputStd), options.InputChannels, name, mustBePositive: true);
    }

    /// <summary>Why clipping 32-bit activations cannot go with <paramref name="quantizer"/>, or null when it can.</summary>
    internal static string? ClipProblem(bool clip, QuantizerKind quantizer) => QuantizerRegistry.ClipProblem(clip, quantizer);

    /// <summary>Scales a published channel count by the width multiplier (at least 1 channel).</summary>
    internal static long Scale(int channels, double multiplier) => Layouts.ChannelWidths.Scale(channels, multiplier);

    private static void CheckChannelList(IReadOnlyList<float> values, string list, int channels, string name, bool mustBePositive)
    {
        if (values is null) throw new ArgumentNullException(name, $"{list} must not be null (use an empty list).");
        if (values.Count != 0 && values.Count != channels)
            throw new ArgumentException($"{list} has {values.Count} values: expected none or one per input channel ({channels}).", name);
        for (int i = 0; i < values.Count; i++)
            if (!float.IsFinite(values[i]) || (mustBePositive && values[i] <= 0))
                throw new ArgumentException($"{list}[{i}] is {values[i]}: expected a finite{(mustBePositive ? " positive" : "")} value.", name);
    }
}
