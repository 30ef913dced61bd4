using Microsoft.ML.SwitchablePrecision.Inference.Builders;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Architectures;

/// <summary>
/// The limits every network option must respect, checked without building anything: by the training assembly's
/// <c>NetworkFactory</c> before it builds a network and by the runtime before it reads a stored model. The runtime knows
/// an architecture by its plan walk (<see cref="PlanWalks"/>); the training assembly's <c>ArchitectureRegistry</c> lists
/// the network classes.
/// </summary>
internal static class NetworkLimits
{
    /// <summary>Smallest supported input height and width.</summary>
    public const int MinimumImageSize = 8;

    /// <summary>Largest supported input height and width (keeps every size product far from integer overflow).</summary>
    public const int MaximumImageSize = 1024;

    /// <summary>Largest supported number of classes.</summary>
    public const int MaximumClasses = 100_000;

    /// <summary>Largest supported channel width multiplier.</summary>
    public const double MaximumWidthMultiplier = 8;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public static void Validate(NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string name = nameof(options);
        if (PlanWalks.For(options.Architecture) is null) throw new ArgumentException(UnknownArchitectureMessage(options.Architecture), name);
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

    /// <summary>Why <paramref name="kind"/> cannot be read, naming the architectures this build knows.</summary>
    public static string UnknownArchitectureMessage(ArchitectureKind kind) => (Enum.IsDefined(kind)
            ? $"Architecture {kind} has no registered definition"
            : $"Architecture {((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture)} is not defined")
        + $": expected one of {string.Join(", ", Enum.GetValues<ArchitectureKind>().Where(a => PlanWalks.For(a) is not null))}.";

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
