using System.Runtime.Intrinsics;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Inference.Quantizers;

/// <summary>
/// One layer's activation quantizer at one switch as a map from a float activation to an unsigned integer level
/// <c>q in 0..2^k - 1</c> whose value is <c>q * Scale</c> (docs/method.md, "Integer levels"):
/// DoReFa <c>q = round(n clamp(x, 0, 1))</c>, Scale <c>1/n</c>; PACT <c>q = round(clip(x, 0, alpha) / (alpha / n))</c>,
/// Scale <c>alpha / n</c>; LSQ <c>q = round(clamp(x / s, 0, n))</c>, Scale <c>s</c>; with <c>n = 2^k - 1</c> and
/// round half to even. Each formula repeats the float32 operations of the TorchSharp quantizer in the same order, so
/// a level differs from TorchSharp's only when the input itself differs.
/// </summary>
internal sealed record LevelQuantizer
{
    // Pact.QuantizeActivations keeps its grid defined with the same floor.
    private const float MinimumAlpha = 1e-4f;

    private readonly float _clip;
    private readonly float _divisor;

    private LevelQuantizer(QuantizerKind kind, int bits, float clip, float divisor, float scale)
    {
        Kind = kind;
        Bits = bits;
        Steps = UniformLevels.Steps(bits);
        _clip = clip;
        _divisor = divisor;
        Scale = scale;
    }

    /// <summary>The quantizer family.</summary>
    public QuantizerKind Kind { get; }

    /// <summary>Activation bits k, 1 to 8.</summary>
    public int Bits { get; }

    /// <summary>The largest level <c>n = 2^k - 1</c>.</summary>
    public int Steps { get; }

    /// <summary>The value of level 1.</summary>
    public float Scale { get; }

    /// <summary>DoReFa's fixed grid on [0, 1].</summary>
    public static LevelQuantizer DoReFa(int bits) =>
        new(QuantizerKind.DoReFa, bits, 1f, 0f, 1f / UniformLevels.Steps(bits));

    /// <summary>PACT with clipping level <paramref name="alpha"/>.</summary>
    public static LevelQuantizer Pact(int bits, float alpha)
    {
        float step = MathF.Max(alpha, MinimumAlpha) / UniformLevels.Steps(bits);
        return new(QuantizerKind.Pact, bits, alpha, step, step);
    }

    /// <summary>LSQ (unsigned) with step <paramref name="step"/>.</summary>
    public static LevelQuantizer Lsq(int bits, float step) =>
        new(QuantizerKind.Lsq, bits, UniformLevels.Steps(bits), step, step);

    /// <summary>The levels of <paramref name="values"/> (the same as <see cref="Level"/> element by element).</summary>
    public void Levels(ReadOnlySpan<float> values, Span<byte> levels)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var steps = Vector256.Create((float)Steps);
            var clip = Vector256.Create(_clip);
            var divisor = Vector256.Create(_divisor);
            var zero = Vector256<float>.Zero;
            for (; i + 2 * Vector256<float>.Count <= values.Length; i += 2 * Vector256<float>.Count)
            {
                var low = Quantize(Vector256.Create(values.Slice(i, 8)), steps, clip, divisor, zero);
                var high = Quantize(Vector256.Create(values.Slice(i + 8, 8)), steps, clip, divisor, zero);
                var words = Vector256.Narrow(Vector256.ConvertToInt32(low), Vector256.ConvertToInt32(high));
                Vector256.Narrow(words, words).GetLower().AsByte().CopyTo(levels.Slice(i, 16));
            }
        }
        for (; i < values.Length; i++) levels[i] = Level(values[i]);
    }

    // The float level of eight activations; the same operations as Level, lane by lane.
    private Vector256<float> Quantize(Vector256<float> x, Vector256<float> steps, Vector256<float> clip, Vector256<float> divisor,
        Vector256<float> zero) => Kind switch
    {
        QuantizerKind.DoReFa => Vector256.Round(steps * Vector256.Min(Vector256.Max(x, zero), clip)),
        QuantizerKind.Pact => Vector256.Min(Vector256.Round(
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, clip), clip, Vector256.Max(x, zero)) / divisor), steps),
        _ => Vector256.Round(Vector256.Min(Vector256.Max(x / divisor, zero), clip)),
    };

    /// <summary>The level of activation <paramref name="x"/>.</summary>
    public byte Level(float x)
    {
        float level = Kind switch
        {
            QuantizerKind.DoReFa => MathF.Round(Steps * Math.Clamp(x, 0f, 1f), MidpointRounding.ToEven),
            QuantizerKind.Pact => MathF.Round((x >= _clip ? _clip : MathF.Max(x, 0f)) / _divisor, MidpointRounding.ToEven),
            _ => MathF.Round(Math.Clamp(x / _divisor, 0f, _clip), MidpointRounding.ToEven),
        };
        // PACT with alpha below its floor clips to alpha but counts steps of the floor: never above n.
        return (byte)Math.Min(level, Steps);
    }
}
