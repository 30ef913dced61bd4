namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The float values of a compact model's folds and full-precision weights, gathered in one section and stored as byte
/// planes (all lowest bytes, then the next, up to the sign-and-exponent bytes): a plane of exponents is nearly constant,
/// so the .zip's deflate packs it far better than the same bytes interleaved with random mantissas. The values are float32
/// (four planes) or, with <see cref="InferenceFloatStorage.Float16"/>, IEEE binary16 (two planes), which a writer must
/// only be given when every value is exactly a binary16 (<see cref="HalfPrecisionRounding"/>).
/// </summary>
internal sealed class FloatSection
{
    private readonly List<uint> _written = [];
    private readonly uint[] _read = [];
    private int _next;

    private FloatSection(InferenceFloatStorage storage) => Storage = storage;

    private FloatSection(InferenceFloatStorage storage, uint[] words)
    {
        Storage = storage;
        _read = words;
    }

    /// <summary>How the values are stored.</summary>
    public InferenceFloatStorage Storage { get; }

    /// <summary>Values not taken yet by a reader.</summary>
    public int Remaining => _read.Length - _next;

    /// <summary>An empty section to write into.</summary>
    public static FloatSection ForWriting(InferenceFloatStorage storage) => new(storage);

    /// <summary>
    /// Appends <paramref name="values"/>, each stored as the exclusive or of its bits with those of the value at its
    /// position in <paramref name="reference"/> (empty: none): values close to the reference's share sign and exponent,
    /// so their stored high bytes are nearly all zero.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value is not exactly a binary16 in a binary16 section.</exception>
    public void Add(ReadOnlySpan<float> values, ReadOnlySpan<float> reference = default)
    {
        if (Storage == InferenceFloatStorage.Float16)
            foreach (float v in values)
                if (BitConverter.SingleToInt32Bits((float)(Half)v) != BitConverter.SingleToInt32Bits(v))
                    throw new InvalidOperationException($"The value {v} is not exactly a float16; round the plans before storing them as float16.");
        for (int i = 0; i < values.Length; i++) _written.Add(Bits(values[i]) ^ (reference.IsEmpty ? 0 : Bits(reference[i])));
    }

    /// <summary>The next <paramref name="count"/> values, undoing the exclusive or with <paramref name="reference"/> (empty: none) of <see cref="Add"/>.</summary>
    /// <exception cref="InvalidDataException">Fewer remain; the message names <paramref name="field"/>.</exception>
    public float[] Take(string field, int count, ReadOnlySpan<float> reference = default)
    {
        if (count < 0 || count > Remaining)
            throw new InvalidDataException($"The {field} needs {count} float values, but only {Remaining} of the model's {_read.Length} remain.");
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = Value(_read[_next + i] ^ (reference.IsEmpty ? 0 : Bits(reference[i])));
        _next += count;
        return values;
    }

    /// <summary>Writes byte storage, int32 count and the planes.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write((byte)Storage);
        writer.Write(_written.Count);
        for (int plane = 0; plane < ByteWidth(Storage); plane++)
            foreach (uint word in _written) writer.Write((byte)(word >> 8 * plane));
    }

    private uint Bits(float value) => Storage == InferenceFloatStorage.Float16 ? BitConverter.HalfToUInt16Bits((Half)value) : BitConverter.SingleToUInt32Bits(value);

    private float Value(uint bits) => Storage == InferenceFloatStorage.Float16 ? (float)BitConverter.UInt16BitsToHalf((ushort)bits) : BitConverter.UInt32BitsToSingle(bits);

    /// <exception cref="InvalidDataException">An unknown storage, or more values than bytes remain.</exception>
    public static FloatSection Read(BoundedReader reader)
    {
        byte code = reader.Byte();
        if (code > (byte)InferenceFloatStorage.Float16)
            throw new InvalidDataException($"The float storage is {code}, which this build does not know (0: float32, 1: float16).");
        var storage = (InferenceFloatStorage)code;
        int width = ByteWidth(storage);
        int count = reader.Count("float value count", width);
        var words = new uint[count];
        for (int plane = 0; plane < width; plane++)
        {
            var bytes = reader.Bytes("float value plane", count);
            for (int i = 0; i < count; i++) words[i] |= (uint)bytes[i] << 8 * plane;
        }
        return new FloatSection(storage, words);
    }

    private static int ByteWidth(InferenceFloatStorage storage) => storage == InferenceFloatStorage.Float16 ? 2 : 4;
}
