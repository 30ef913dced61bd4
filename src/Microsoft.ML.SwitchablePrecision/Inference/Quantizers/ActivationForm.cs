namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// What a layer reads of a value its producer computed: the float itself, the float clipped to [0, 1] (a 32-bit
/// switch with <see cref="Architectures.NetworkOptions.ClipFullPrecisionActivations"/>), or integer levels of a
/// k-bit quantizer (bytes), or those levels' float values (for a float kernel that consumes quantized activations).
/// Two forms are the same when they write the same numbers.
/// </summary>
internal sealed record ActivationForm(ActivationEncoding Encoding, LevelQuantizer? Quantizer)
{
    /// <summary>The float value unchanged.</summary>
    public static ActivationForm Raw { get; } = new(ActivationEncoding.Raw, null);

    /// <summary>The float value clipped to [0, 1].</summary>
    public static ActivationForm Clipped { get; } = new(ActivationEncoding.Clipped, null);

    /// <summary>Levels of <paramref name="quantizer"/> as bytes.</summary>
    public static ActivationForm Levels(LevelQuantizer quantizer) => new(ActivationEncoding.Levels, quantizer);

    /// <summary>The float values of <paramref name="quantizer"/>'s levels (<c>q * Scale</c>, written as the TorchSharp forward writes them).</summary>
    public static ActivationForm Dequantized(LevelQuantizer quantizer) => new(ActivationEncoding.Dequantized, quantizer);

    /// <summary>True when the form is stored as bytes.</summary>
    public bool IsLevels => Encoding == ActivationEncoding.Levels;

    /// <summary>Writes this form of <paramref name="values"/>: levels into <paramref name="levels"/>, floats into <paramref name="floats"/>.</summary>
    public void Write(ReadOnlySpan<float> values, Span<byte> levels, Span<float> floats)
    {
        switch (Encoding)
        {
            case ActivationEncoding.Levels:
                Quantizer!.Levels(values, levels);
                break;
            case ActivationEncoding.Raw:
                values.CopyTo(floats);
                break;
            default:
                for (int i = 0; i < values.Length; i++) floats[i] = Encode(values[i]);
                break;
        }
    }

    /// <summary>The float this form stores for <paramref name="x"/> (not for <see cref="ActivationEncoding.Levels"/>).</summary>
    public float Encode(float x) => Encoding switch
    {
        ActivationEncoding.Raw => x,
        ActivationEncoding.Clipped => Math.Clamp(x, 0f, 1f),
        _ => Quantizer!.Value(Quantizer.Level(x)),
    };
}

/// <summary>How an <see cref="ActivationForm"/> stores values.</summary>
internal enum ActivationEncoding
{
    /// <summary>Float, unchanged.</summary>
    Raw,

    /// <summary>Float, clipped to [0, 1].</summary>
    Clipped,

    /// <summary>Byte levels.</summary>
    Levels,

    /// <summary>Float values of levels.</summary>
    Dequantized,
}
